import { Controller, Get, Param, Query, Req, UseGuards } from '@nestjs/common';
import { ClientAuthGuard, type ClientRequest, Roles } from '../access/exchange-clients.js';
import { asOfParam } from '../subjects/as-of.param.js';
import { ListsService } from './lists.service.js';

/** The list types, and one type's entries in force now or as of a day. One call into the service each. */
@Controller('v1/lists')
@UseGuards(ClientAuthGuard)
@Roles('operator', 'subscriber')
export class ListsController {
  constructor(private readonly lists: ListsService) {}

  @Get()
  @Roles('operator', 'subscriber', 'officer')
  types() {
    return this.lists.types();
  }

  @Get(':type/entries')
  entries(
    @Param('type') type: string,
    @Query('asOf') asOf: string | undefined,
    @Query('limit') limit: string | undefined,
    @Query('after') after: string | undefined,
    @Req() request: ClientRequest,
  ) {
    return this.lists.entriesOf(
      type,
      asOf === undefined ? undefined : asOfParam(asOf),
      { ...(limit !== undefined && { limit }), ...(after !== undefined && { after }) },
      request.client!,
    );
  }
}

import { Body, Controller, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { type Agency, AgencyAuthGuard, CurrentAgency } from '@cie/platform';
import { DishonestDebtorRecordDto } from './dto/dishonest-debtor-record.dto.js';
import { type RecordReceipt, RecordsService } from './records.service.js';

@Controller('v1/records')
@UseGuards(AgencyAuthGuard)
export class RecordsController {
  constructor(private readonly records: RecordsService) {}

  /** 202 once the record is durably in Kafka; 422 naming the fields when it is invalid. */
  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  submit(@Body() record: DishonestDebtorRecordDto, @CurrentAgency() agency: Agency): Promise<RecordReceipt> {
    return this.records.submit(record, agency);
  }
}

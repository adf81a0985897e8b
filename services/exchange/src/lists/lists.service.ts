import type { Clock } from '@cie/platform';
import { invalidFields } from '@cie/platform';
import type { DataSource } from 'typeorm';
import type { ExchangeClient } from '../access/exchange-clients.js';
import type { SubscriberPolicy } from '../domain/routing.js';
import type { AsOf } from '../domain/as-of.js';
import { chinaDate } from '../delivery/domain/disclosure.js';
import type { JointMeasures } from '../measures/measures.loader.js';
import { entitledEntries } from './entitled-entries.js';
import type { ListEntriesReader } from './list-entries.reader.js';
import { ListErrorCode, ListException } from './lists.exception.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The lists (DESIGN §13) as of an instant: an operator sees every entry, a subscriber only entries
 * whose record its entitlement lets it receive (the same routing as its feed).
 */
export class ListsService {
  constructor(
    private readonly db: DataSource,
    private readonly measures: JointMeasures,
    private readonly entries: ListEntriesReader,
    private readonly policy: () => SubscriberPolicy,
    private readonly clock: Clock,
  ) {}

  types() {
    const { lists } = this.measures;
    return {
      version: lists.version,
      types: [...lists.types.values()].map((t) => ({
        id: t.id,
        sector: t.sector,
        colour: t.colour,
        title: t.title,
        legalBasis: t.legalBasis,
        listing: t.listing,
        validity: t.validity,
        ...(t.upgrade && { upgradesTo: t.upgrade.to }),
      })),
    };
  }

  async entriesOf(
    type: string,
    asOf: AsOf | undefined,
    page: { limit?: string; after?: string },
    client: ExchangeClient,
  ) {
    const listType = this.measures.lists.types.get(type);
    if (!listType) throw new ListException(ListErrorCode.LIST_TYPE_NOT_FOUND, `no list type ${type}`, 'type');
    const limit = page.limit === undefined ? 100 : Number(page.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw invalidFields([{ field: 'limit', detail: 'limit must be a whole number from 1 to 1000' }]);
    if (page.after !== undefined && !UUID.test(page.after))
      throw invalidFields([{ field: 'after', detail: 'after must be the entryId a page ended with' }]);
    const now = this.clock.now();
    const at = asOf ?? { instant: now, day: chinaDate(now) };
    const found = await this.entries.inForceOfType(this.db, type, at.instant, at.day, {
      limit,
      ...(page.after !== undefined && { afterEntryId: page.after }),
    });
    const visible =
      client.role === 'operator'
        ? found
        : await entitledEntries(this.db, found, this.policy(), client.subscriberId);
    return {
      listType: type,
      title: listType.title,
      colour: listType.colour,
      asOf: at.instant.toISOString(),
      day: at.day,
      entries: visible.map((e) => ({
        entryId: e.entryId,
        subject: e.subjectId,
        recordId: e.recordId,
        recordVersion: e.recordVersion,
        listedAt: e.listedAt.toISOString(),
        validUntil: e.validUntil,
        state: e.state,
        endedAt: e.endedAt?.toISOString() ?? null,
        endReason: e.endReason,
      })),
      // Scanned entries, not shown ones: a subscriber's page may hold fewer than `limit`.
      next: found.length === limit ? (found.at(-1)?.entryId ?? null) : null,
    };
  }
}

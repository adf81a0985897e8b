import type { Clock } from '@cie/platform';
import type { DataSource } from 'typeorm';
import type { ExchangeClient } from '../access/exchange-clients.js';
import { decideSubject } from '../checks/domain/check-verdict.js';
import { chinaDate } from '../delivery/domain/disclosure.js';
import type { SubscriberPolicy } from '../domain/routing.js';
import type { ListEntriesReader } from '../lists/list-entries.reader.js';
import type { JointMeasures } from '../measures/measures.loader.js';
import type { IssuedReceipt, ReceiptService } from '../receipts/receipt.service.js';
import type { SubjectRecordsReader } from '../subjects/subject-records.reader.js';
import { type ReportRecord, type ReportSections, reportSections } from './domain/report-sections.js';

/** The signed content of a credit report. */
export interface CreditReport {
  type: 'cie.credit-report';
  formatVersion: 1;
  number: string;
  issuedAt: string;
  subject: { canonicalId: string; name: string };
  preparedFor: { clientId: string; role: string; subscriberId?: string };
  /** Whose view the report holds: every disclosed record (operator, subject desk) or one subscriber's entitlement. */
  scope: string;
  policyVersion: string;
  listsVersion: string;
  sections: ReportSections;
}

/**
 * The standard credit report on a subject (信用报告, DESIGN §13): the records disclosed today and the
 * entries in force, sorted into the report's sections, holding only what the caller may see (a
 * subscriber: its entitlement, in its feed's view; an operator or the subject desk: every disclosed
 * record), signed and numbered like a check receipt.
 */
export class ReportService {
  constructor(
    private readonly db: DataSource,
    private readonly measures: JointMeasures,
    private readonly records: SubjectRecordsReader,
    private readonly entries: ListEntriesReader,
    private readonly receipts: ReceiptService,
    private readonly policy: () => SubscriberPolicy,
    private readonly clock: Clock,
  ) {}

  async report(
    canonicalId: string,
    client: ExchangeClient,
    subscriberId: string | undefined,
    purpose: string | undefined,
  ): Promise<IssuedReceipt<CreditReport>> {
    const policy = this.policy();
    const subscriber = subscriberId ? policy.subscribers.find((s) => s.id === subscriberId) : undefined;
    const { lists, memoranda } = this.measures;
    return this.db.transaction(async (em) => {
      const now = this.clock.now();
      const today = chinaDate(now);
      const versions = await this.records.disclosedAt(em, canonicalId, now, today);
      const released = this.records.release(versions, policy, subscriber, now);
      const visible = new Set(released.map((r) => r.body.recordId));
      const inForce = (await this.entries.inForceForSubjects(em, [canonicalId], now, today)).filter((e) =>
        visible.has(e.recordId),
      );
      // The entries as a check shows them (title, colour, legal basis), whatever the scenario.
      const { entries } = decideSubject({
        subject: canonicalId,
        scenario: 'procurement_bid',
        entries: inForce,
        lists,
        memoranda,
        sources: [],
        listedDay: chinaDate,
      });
      const shown: ReportRecord[] = released.map(({ body, record }) => ({
        recordId: body.recordId,
        version: body.version,
        kind: body.kind,
        category: body.category,
        polarity: body.polarity,
        status: body.status,
        source: {
          agencyId: body.source.agencyId,
          decisionNumber: body.source.decisionNumber,
          decidingAuthority: body.source.decidingAuthority,
          decisionDate: body.source.decisionDate,
        },
        disclosureUntil: body.disclosure.disclosureUntil,
        attributes: subscriber
          ? ((record as { attributes?: Record<string, string> }).attributes ?? {})
          : body.attributes,
      }));
      const latest = released.at(-1);
      const name = subscriber
        ? ((latest?.record as { subject?: { name?: string } } | undefined)?.subject?.name ?? '')
        : (latest?.body.subject.name ?? '');
      return this.receipts.issue<CreditReport>(
        em,
        'report',
        client,
        (number, issuedAt) => ({
          type: 'cie.credit-report',
          formatVersion: 1,
          number,
          issuedAt,
          // A subscriber's report names the subject as its feed does (its own pseudonym for a person).
          subject: {
            canonicalId: subscriber ? this.records.subjectIdFor(subscriber.id, canonicalId) : canonicalId,
            name,
          },
          preparedFor: {
            clientId: client.clientId,
            role: client.role,
            ...(subscriber && { subscriberId: subscriber.id }),
          },
          scope: subscriber ? `entitlement of subscriber ${subscriber.id}` : 'every disclosed record',
          policyVersion: policy.version,
          listsVersion: lists.version,
          sections: reportSections(shown, entries),
        }),
        {
          subjectId: canonicalId,
          details: {
            ...(subscriber && { subscriber: subscriber.id }),
            ...(purpose && { purpose }),
            returned: [...visible],
          },
        },
      );
    });
  }
}

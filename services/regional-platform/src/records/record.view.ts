import type { HeldRecord } from '../domain/holding.js';

/** A held record as the API shows it. */
export interface RecordView {
  recordId: string;
  version: number;
  kind: string;
  category: string;
  polarity: string;
  severity: string;
  status: string;
  subject: { canonicalId: string; kind: string; name: string; regionCode: string; idNumber?: string };
  source: HeldRecord['source'];
  disclosure: HeldRecord['disclosure'];
  attributes: Record<string, string>;
  dispute: { disputed: boolean; disputeId: string | null; lastOutcome: string | null };
  receivedEventId: string;
  updatedAt: string;
}

export function toRecordView(r: HeldRecord): RecordView {
  return {
    recordId: r.recordId,
    version: r.version,
    kind: r.kind,
    category: r.category,
    polarity: r.polarity,
    severity: r.severity,
    status: r.status,
    subject: {
      canonicalId: r.subject.canonicalId,
      kind: r.subject.kind,
      name: r.subject.name,
      regionCode: r.subject.regionCode,
      ...(r.subject.idNumber ? { idNumber: r.subject.idNumber } : {}),
    },
    source: r.source,
    disclosure: r.disclosure,
    attributes: r.attributes,
    dispute: { disputed: r.disputed, disputeId: r.disputeId, lastOutcome: r.disputeOutcome },
    receivedEventId: r.receivedEventId,
    updatedAt: r.updatedAt.toISOString(),
  };
}

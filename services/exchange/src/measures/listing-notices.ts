import type { EntityManager } from 'typeorm';
import type { CanonicalRecord } from '../domain/canonical-record.js';
import type { JointMeasures } from './measures.loader.js';

interface NoticeRow {
  entry_id: string;
  list_type: string;
  state: string;
  listed_at: Date;
  valid_until: string;
  ended_at: Date | null;
  end_reason: string | null;
  record_id: string;
  body: CanonicalRecord;
}

/**
 * The listing notices of a subject, for the subject desk (DESIGN §13): each list entry with the
 * reasons (the record and the decision behind it), the legal basis, the measures it triggers, and the
 * subject's rights: an objection is a dispute of the record (`POST /v1/disputes`), early removal a
 * credit repair where the record is repairable.
 */
export async function listingNotices(em: EntityManager, subjectId: string, measures: JointMeasures) {
  const rows = await em.query<NoticeRow[]>(
    `SELECT e.entry_id, e.list_type, e.state, e.listed_at, e.valid_until::text AS valid_until, e.ended_at, e.end_reason,
            e.record_id, v.body
       FROM exchange.list_entries e
       JOIN exchange.records r USING (record_id)
       JOIN exchange.record_versions v ON v.record_id = e.record_id AND v.version = r.current_version
      WHERE e.subject_id = $1 ORDER BY e.listed_at`,
    [subjectId],
  );
  return rows.map((r) => {
    const type = measures.lists.types.get(r.list_type);
    const triggered = measures.memoranda.memoranda.filter((m) => m.triggers.includes(r.list_type));
    return {
      entryId: r.entry_id,
      list: { type: r.list_type, title: type?.title ?? r.list_type, colour: type?.colour ?? null },
      legalBasis: type?.legalBasis ?? null,
      state: r.state,
      listedAt: r.listed_at.toISOString(),
      validUntil: r.valid_until,
      endedAt: r.ended_at?.toISOString() ?? null,
      endReason: r.end_reason,
      reasons: {
        recordId: r.record_id,
        kind: r.body.kind,
        decisionNumber: r.body.source.decisionNumber,
        decidingAuthority: r.body.source.decidingAuthority,
        decisionDate: r.body.source.decisionDate,
      },
      measures: triggered.flatMap((m) =>
        m.measures.map((measure) => ({
          memorandum: m.documentNumber,
          measure: measure.text,
          mode: measure.mode,
          legalBasis: measure.legalBasis,
        })),
      ),
      rights: {
        objection: { how: 'POST /v1/disputes', recordId: r.record_id },
        repairableFrom: r.body.disclosure.repairableFrom,
      },
    };
  });
}

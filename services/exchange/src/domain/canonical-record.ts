import type { Sector } from '@cie/contracts';

export type SubjectKindName = 'legal_entity' | 'natural_person' | 'other';
export type PolarityName = 'positive' | 'negative' | 'neutral';
export type SeverityName = 'minor' | 'general' | 'serious';
export type DisclosureLevelName = 'public' | 'authorised' | 'shared';
export type RecordStatusName = 'active' | 'disputed' | 'corrected' | 'withdrawn' | 'expired' | 'repaired';

/** The canonical credit record (DESIGN §4), as stored; the clear identity number is never part of it. */
export interface CanonicalRecord {
  recordId: string;
  source: {
    sector: Sector;
    agencyId: string;
    sourceRecordId: string;
    decisionNumber: string;
    decidingAuthority: string;
    decisionDate: string;
  };
  subject: {
    kind: SubjectKindName;
    /** USCC for organisations; keyed pseudonym for natural persons. */
    canonicalId: string;
    name: string;
    regionCode: string;
  };
  kind: string;
  category: string;
  polarity: PolarityName;
  severity: SeverityName;
  disclosure: {
    level: DisclosureLevelName;
    effectiveFrom: string;
    disclosureUntil: string;
    legalBasis: string;
    /** From when the subject may ask for credit repair; null when the kind is not repairable. */
    repairableFrom: string | null;
  };
  status: RecordStatusName;
  version: number;
  recordedAt: string;
  attributes: Record<string, string>;
  catalogueEdition: string;
  /** The catalogue version that classified the record, e.g. "2026.1.0". */
  catalogueVersion: string;
}

import type { Sector } from '@cie/contracts';
import type { Condition } from '../../domain/catalogue.js';

/**
 * Joint rewards and punishments as code (DESIGN §13): list types, memoranda and their measures, as
 * loaded and validated from catalogue/lists.json and catalogue/memoranda.json.
 */

export const LIST_COLOURS = ['black', 'red', 'watch'] as const;
export type ListColour = (typeof LIST_COLOURS)[number];

/** The decisions a measure applies to, and a check names (DESIGN §13). */
export const SCENARIOS = [
  'procurement_bid',
  'administrative_licence',
  'subsidy',
  'bond_issuance',
  'public_office',
  'high_consumption',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

export const MEASURE_TARGETS = ['entity', 'legal_representative', 'responsible_persons'] as const;
export type MeasureTarget = (typeof MEASURE_TARGETS)[number];

/** How long an entry stays valid: a fixed period, a date attribute of the record, or the record's own disclosure. */
export type ListValidity = { months: number } | { untilDate: string } | { record: true };

export interface ListType {
  id: string;
  sector: Sector;
  colour: ListColour;
  title: string;
  legalBasis: string;
  /** Which records list: their kind, and conditions on their facts (attributes, severity, …). */
  entry: { kinds: string[]; when: Condition[] };
  /** `direct`: the record lists on publication; `upgrade`: entered only from another list's upgrade. */
  listing: 'direct' | 'upgrade';
  validity: ListValidity;
  /** While an entry of this type is active, a new record of the subject that meets `when` upgrades it. */
  upgrade?: { to: string; when: Condition[] };
}

export interface ListCatalogue {
  version: string;
  types: Map<string, ListType>;
}

export type Implementer =
  { kind: 'agency'; sector: Sector; agencyId: string } | { kind: 'subscriber'; subscriberId: string };

export interface Measure {
  id: string;
  text: string;
  legalBasis: string;
  implementer: Implementer;
  targets: MeasureTarget[];
  mode: 'mandatory' | 'discretionary';
  scenarios: Scenario[];
  /** While the subject is listed (lifted when the entry ends), or a fixed number of months from listing. */
  duration: { whileListed: true } | { months: number };
  answerWithinWorkingDays: number;
}

export interface Memorandum {
  id: string;
  documentNumber: string;
  title: string;
  type: 'reward' | 'punishment';
  /** List types whose active entries trigger the measures. */
  triggers: string[];
  signatories: string[];
  validFrom: string;
  validUntil?: string;
  /** How the title and number were checked, or that they are demo data. */
  sourceCheck: string;
  measures: Measure[];
}

export interface MemorandumCatalogue {
  version: string;
  memoranda: Memorandum[];
  /** Every measure by id (ids are unique across memoranda), with its memorandum. */
  measures: Map<string, { memorandum: Memorandum; measure: Measure }>;
}

/** The id of the agency that answers a task for this implementer. */
export const implementerId = (i: Implementer): string => (i.kind === 'agency' ? i.agencyId : i.subscriberId);

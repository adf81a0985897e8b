import type { EntryView } from '../../checks/domain/check-verdict.js';

/** A record as a credit report shows it: what the caller may see of one version. */
export interface ReportRecord {
  recordId: string;
  version: number;
  kind: string;
  category: string;
  polarity: string;
  status: string;
  source: { agencyId: string; decisionNumber: string; decidingAuthority: string; decisionDate: string };
  disclosureUntil: string;
  attributes: Record<string, string>;
}

/** The sections of a credit report (信用报告, DESIGN §13), in their order. */
export interface ReportSections {
  administrativeDecisions: ReportRecord[];
  seriousDishonestyLists: EntryView[];
  commitments: ReportRecord[];
  judicial: ReportRecord[];
  positiveRecordsAndRatings: { records: ReportRecord[]; lists: EntryView[] };
  other: ReportRecord[];
}

export const SECTION_TITLES: Record<keyof ReportSections, string> = {
  administrativeDecisions: '行政管理信息 Administrative decisions',
  seriousDishonestyLists: '严重失信主体名单 Serious-dishonesty lists',
  commitments: '信用承诺 Commitments',
  judicial: '司法信息 Judicial',
  positiveRecordsAndRatings: '守信激励与信用评价 Positive records and ratings',
  other: '其他信息 Other',
};

// Decisions of administrative authorities (penalties, bans); judicial enforcement; ratings.
const ADMINISTRATIVE = new Set(['tax_violation', 'procurement_misconduct']);
const JUDICIAL = new Set(['judicial_enforcement']);
const RATINGS = new Set(['tax_credit_rating']);
const COMMITMENTS = new Set(['credit_commitment']);

/**
 * Sorts what the caller may see into the report's sections: a record by its category (a positive
 * record, or a rating, among the positive ones), an entry by its list's colour (black and watch
 * lists are the serious-dishonesty section, red lists the positive one). Pure: the caller's scope
 * was applied before.
 */
export function reportSections(
  records: readonly ReportRecord[],
  entries: readonly EntryView[],
): ReportSections {
  const sections: ReportSections = {
    administrativeDecisions: [],
    seriousDishonestyLists: entries.filter((e) => e.colour === 'black' || e.colour === 'watch'),
    commitments: [],
    judicial: [],
    positiveRecordsAndRatings: { records: [], lists: entries.filter((e) => e.colour === 'red') },
    other: [],
  };
  for (const r of records) {
    if (RATINGS.has(r.category) || r.polarity === 'positive')
      sections.positiveRecordsAndRatings.records.push(r);
    else if (ADMINISTRATIVE.has(r.category)) sections.administrativeDecisions.push(r);
    else if (JUDICIAL.has(r.category)) sections.judicial.push(r);
    else if (COMMITMENTS.has(r.category)) sections.commitments.push(r);
    else sections.other.push(r);
  }
  return sections;
}

import type { DisclosureLevelName, PolarityName, SeverityName } from './canonical-record.js';

export interface CatalogueEntry {
  kind: string;
  category: string;
  polarity: PolarityName;
  severity: SeverityName;
  level: DisclosureLevelName;
  legalBasis: string;
  /** Disclosure period from the decision date, in months. */
  disclosureMonths: number;
  /** Natural persons may only be disclosed publicly when the legal basis says so. */
  naturalPersonsPublic: boolean;
}

/**
 * The record kinds the exchange accepts (DESIGN §6). The walking skeleton carries the courts entry;
 * the catalogue file with every sector's kinds replaces this table.
 */
export const CATALOGUE = {
  edition: '2026.1',
  entries: new Map<string, CatalogueEntry>([
    [
      'courts.dishonest_debtor',
      {
        kind: 'courts.dishonest_debtor',
        category: 'judicial_enforcement',
        polarity: 'negative',
        severity: 'serious',
        level: 'public',
        legalBasis: '最高人民法院关于公布失信被执行人名单信息的若干规定 (法释〔2017〕7号)',
        disclosureMonths: 24,
        naturalPersonsPublic: true,
      },
    ],
  ]),
} as const;

/** Adds whole months to an ISO calendar date, clamping to the end of shorter months. */
export function addMonths(isoDate: string, months: number): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, lastDay));
  return target.toISOString().slice(0, 10);
}

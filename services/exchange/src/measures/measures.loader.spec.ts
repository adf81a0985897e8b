import { readFileSync } from 'node:fs';
import { ConfigurationError } from '@cie/platform';
import { exchangeCatalogue } from '../catalogue/catalogue.loader.js';
import {
  DEFAULT_LISTS_FILE,
  DEFAULT_MEMORANDA_FILE,
  loadJointMeasures,
  parseLists,
  parseMemoranda,
} from './measures.loader.js';

const catalogue = exchangeCatalogue();
/** The parts of the files these tests change. */
interface RawLists {
  listTypes: { entry: { kinds: string[] }; upgrade: { to: string } }[];
}
interface RawMemoranda {
  memoranda: {
    triggers: string[];
    measures: { id: string; legalBasis?: string; implementer: Record<string, string> }[];
  }[];
}
const shippedLists = () => JSON.parse(readFileSync(DEFAULT_LISTS_FILE, 'utf8')) as RawLists;
const shippedMemoranda = () => JSON.parse(readFileSync(DEFAULT_MEMORANDA_FILE, 'utf8')) as RawMemoranda;

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

describe('list types and memoranda files', () => {
  it('loads the shipped files: every required list type and four memoranda', () => {
    const { lists, memoranda } = loadJointMeasures(catalogue);
    expect([...lists.types.keys()].sort()).toEqual([
      'courts.dishonest_debtors',
      'ecommerce.serious_dishonesty',
      'ecommerce.watch',
      'procurement.serious_violations',
      'tax.a_rated',
      'tax.major_violations',
    ]);
    expect(lists.types.get('tax.a_rated')?.colour).toBe('red');
    expect(lists.types.get('ecommerce.watch')?.upgrade?.to).toBe('ecommerce.serious_dishonesty');
    expect(memoranda.memoranda.map((m) => m.documentNumber)).toEqual([
      '发改财金〔2016〕141号',
      '发改财金〔2014〕3062号',
      '发改财金〔2018〕1614号',
      '发改财金〔2016〕1467号',
    ]);
    expect(memoranda.measures.get('dd-procurement-ban')?.measure.implementer).toEqual({
      kind: 'agency',
      sector: 'procurement',
      agencyId: 'procurement-bj',
    });
  });

  it('refuses a measure without a legal basis, naming its path', () => {
    const { lists } = loadJointMeasures(catalogue);
    const raw = shippedMemoranda();
    delete raw.memoranda[1]!.measures[0]!.legalBasis;
    const problems = problemsOf(() => parseMemoranda(raw, 'memoranda.json', lists));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/memoranda\[1\]\.measures\[0\]\.legalBasis.*without a legal basis is refused/),
      ]),
    );
    expect(problems.every((p) => p.includes('memoranda[1].measures[0].legalBasis'))).toBe(true);
  });

  it('refuses a trigger that is not a list type and a duplicate measure id', () => {
    const { lists } = loadJointMeasures(catalogue);
    const raw = shippedMemoranda();
    raw.memoranda[0]!.triggers = ['courts.no_such_list'];
    raw.memoranda[2]!.measures[1]!.id = raw.memoranda[2]!.measures[0]!.id;
    const problems = problemsOf(() => parseMemoranda(raw, 'memoranda.json', lists));
    expect(problems).toEqual([
      expect.stringContaining('memoranda[0].triggers[0]: courts.no_such_list is not a list type'),
      expect.stringContaining('memoranda[2].measures[1].id: gp-procurement-ban appears twice'),
    ]);
  });

  it('refuses an implementer that is both a sector agency and a subscriber', () => {
    const { lists } = loadJointMeasures(catalogue);
    const raw = shippedMemoranda();
    raw.memoranda[0]!.measures[0]!.implementer.subscriber = 'beijing-platform';
    expect(problemsOf(() => parseMemoranda(raw, 'memoranda.json', lists))).toEqual([
      expect.stringContaining('memoranda[0].measures[0].implementer: must be a sector agency'),
    ]);
  });

  it('refuses list entry kinds outside the catalogue or the sector, and a dangling upgrade', () => {
    const raw = shippedLists();
    raw.listTypes[0]!.entry.kinds = ['courts.no_such_kind', 'tax.major_violation'];
    raw.listTypes[4]!.upgrade.to = 'ecommerce.nowhere';
    const problems = problemsOf(() => parseLists(raw, 'lists.json', catalogue));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining(
          'listTypes[0].entry.kinds[0]: courts.no_such_kind is not a kind of the catalogue',
        ),
        expect.stringContaining('listTypes[0].entry.kinds[1]: tax.major_violation is not a courts kind'),
        expect.stringContaining('listTypes[4].upgrade.to: ecommerce.nowhere is not a list type of this file'),
      ]),
    );
  });
});

import type { CanonicalRecord } from './canonical-record.js';
import { type ReleaseRules, route, type SubscriberEntitlement, type SubscriberPolicy } from './routing.js';

const record = {
  source: { sector: 'courts' },
  kind: 'courts.dishonest_debtor',
  polarity: 'negative',
  disclosure: { level: 'public' },
  subject: { regionCode: '110105' },
} as unknown as CanonicalRecord;

const subscriber = (id: string, over: Partial<SubscriberEntitlement>): SubscriberEntitlement => ({
  id,
  name: id,
  sectors: ['courts'],
  kinds: ['*'],
  levels: ['public'],
  regions: ['*'],
  naturalPersonIdentity: 'pseudonym',
  ...over,
});

/** Every sector releases everything to everyone: only the subscriber side decides. */
const releaseAll: ReleaseRules = {
  version: 'r1',
  sectors: Object.fromEntries(
    ['courts', 'tax', 'procurement', 'ecommerce'].map((sector) => [
      sector,
      [{ subscribers: ['*'], kinds: ['*'], levels: ['public', 'authorised', 'shared'] }],
    ]),
  ),
};

const receiversOf = (r: CanonicalRecord, policy: SubscriberPolicy) =>
  route(r, policy)
    .filter((d) => d.allowed)
    .map((d) => d.subscriberId);

describe('routing a record to subscribers', () => {
  const policy = {
    version: 'v7',
    release: releaseAll,
    subscribers: [
      subscriber('beijing', { regions: ['11'] }),
      subscriber('shanghai', { regions: ['31'] }),
      subscriber('tax-only', { sectors: ['tax'] }),
      subscriber('shared-only', { levels: ['shared'] }),
    ],
  };

  it('Given a Beijing public courts record, only the subscribers whose every condition matches receive it', () => {
    const decisions = route(record, policy);
    expect(decisions.filter((d) => d.allowed).map((d) => d.subscriberId)).toEqual(['beijing']);
  });

  it('explains each decision with the rule and the condition that failed', () => {
    const shanghai = route(record, policy).find((d) => d.subscriberId === 'shanghai');
    expect(shanghai).toEqual({
      subscriberId: 'shanghai',
      allowed: false,
      rule: 'v7#shanghai+courts[0]',
      reasons: [
        'sector courts allowed',
        'kind courts.dishonest_debtor allowed',
        'level public allowed',
        'polarity negative allowed',
        'region 110105 not entitled',
        'release courts: rule courts[0] releases level public to shanghai',
      ],
    });
  });
});

describe('routing by polarity', () => {
  const policy = {
    version: 'v8',
    release: releaseAll,
    subscribers: [
      subscriber('regulator', { sectors: ['courts', 'tax'], polarities: ['negative'] }),
      subscriber('everything', { sectors: ['courts', 'tax'] }),
    ],
  };
  const rating = (polarity: string) =>
    ({
      ...record,
      source: { sector: 'tax' },
      kind: 'tax.credit_rating',
      polarity,
    }) as unknown as CanonicalRecord;
  const receivers = (r: CanonicalRecord) => receiversOf(r, policy);

  it('Given a subscriber entitled to negative records only, it receives a negative record', () => {
    expect(receivers(rating('negative'))).toEqual(['regulator', 'everything']);
  });

  it('Given a positive or neutral record, only the subscriber without a polarity entitlement receives it', () => {
    expect(receivers(rating('positive'))).toEqual(['everything']);
    expect(receivers(rating('neutral'))).toEqual(['everything']);
    expect(route(rating('positive'), policy)[0]?.reasons).toContain('polarity positive not entitled');
  });

  it('Given no polarities in the entitlement, every polarity is allowed and said so', () => {
    expect(route(rating('neutral'), policy)[1]?.reasons).toContain('polarity neutral allowed');
  });
});

describe('routing by the owning sector’s release rules', () => {
  // Given the demo's shape: courts release public records to all and authorised ones to the platforms;
  // procurement releases authorised records to the regional platforms only and nothing shared.
  const release: ReleaseRules = {
    version: 'r2',
    sectors: {
      courts: [
        { subscribers: ['*'], kinds: ['*'], levels: ['public'] },
        { subscribers: ['beijing', 'shanghai'], kinds: ['courts.dishonest_debtor'], levels: ['authorised'] },
      ],
      procurement: [{ subscribers: ['beijing', 'shanghai'], kinds: ['*'], levels: ['authorised'] }],
    },
  };
  const entitledToAll = (id: string) =>
    subscriber(id, { sectors: ['courts', 'tax', 'procurement'], levels: ['public', 'authorised', 'shared'] });
  const policy: SubscriberPolicy = {
    version: 'subscribers@v9+release@r2',
    release,
    subscribers: [entitledToAll('beijing'), entitledToAll('shanghai'), entitledToAll('regulator')],
  };
  const at = (level: string, over: Record<string, unknown> = {}) =>
    ({ ...record, disclosure: { level }, ...over }) as unknown as CanonicalRecord;

  it('Given a public courts record, the rule for everyone releases it to every entitled subscriber', () => {
    // When / Then
    expect(receiversOf(at('public'), policy)).toEqual(['beijing', 'shanghai', 'regulator']);
  });

  it('Given an authorised record, only the subscribers a rule names receive it, though all are entitled', () => {
    // When
    const decisions = route(at('authorised'), policy);
    // Then
    expect(decisions.filter((d) => d.allowed).map((d) => d.subscriberId)).toEqual(['beijing', 'shanghai']);
    const regulator = decisions.find((d) => d.subscriberId === 'regulator');
    expect(regulator?.rule).toBe('subscribers@v9+release@r2#regulator+courts:none');
    expect(regulator?.reasons).toContain('level authorised allowed');
    expect(regulator?.reasons).toContain(
      'release courts: no rule releases level authorised to regulator (kind courts.dishonest_debtor)',
    );
  });

  it('names both matching rules: the subscriber entry and the sector rule that released it', () => {
    // When
    const beijing = route(at('authorised'), policy).find((d) => d.subscriberId === 'beijing');
    // Then
    expect(beijing).toMatchObject({ allowed: true, rule: 'subscribers@v9+release@r2#beijing+courts[1]' });
    expect(beijing?.reasons.at(-1)).toBe(
      'release courts: rule courts[1] releases level authorised to beijing',
    );
  });

  it('Given a rule for other kinds of the sector, it does not release this kind', () => {
    // Given
    const restriction = at('authorised', { kind: 'courts.consumption_restriction' });
    // When / Then
    expect(receiversOf(restriction, policy)).toEqual([]);
  });

  it('Given a level no rule releases (shared procurement), nobody receives it, whatever they are entitled to', () => {
    // Given
    const shared = at('shared', {
      source: { sector: 'procurement' },
      kind: 'procurement.supplier_misconduct',
    });
    // When / Then
    expect(receiversOf(shared, policy)).toEqual([]);
  });

  it('Given a sector without release rules, it releases nothing', () => {
    // Given
    const tax = at('public', { source: { sector: 'tax' }, kind: 'tax.major_violation' });
    // When
    const decisions = route(tax, policy);
    // Then
    expect(decisions.every((d) => !d.allowed)).toBe(true);
    expect(decisions[0]?.reasons).toContain(
      'release tax: no rule releases level public to beijing (kind tax.major_violation)',
    );
  });

  it('Given the sector releases but the subscriber is not entitled, the subscriber side refuses', () => {
    // Given
    const narrow: SubscriberPolicy = {
      ...policy,
      subscribers: [subscriber('portal', { levels: ['public'] })],
    };
    // When
    const [portal] = route(at('authorised'), { ...narrow, release: releaseAll });
    // Then
    expect(portal).toMatchObject({ allowed: false, rule: 'subscribers@v9+release@r2#portal+courts[0]' });
    expect(portal?.reasons).toContain('level authorised not entitled');
  });
});

import type { CanonicalRecord } from './canonical-record.js';
import { route, type SubscriberEntitlement } from './routing.js';

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

describe('routing a record to subscribers', () => {
  const policy = {
    version: 'v7',
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
      rule: 'subscribers@v7#shanghai',
      reasons: [
        'sector courts allowed',
        'kind courts.dishonest_debtor allowed',
        'level public allowed',
        'polarity negative allowed',
        'region 110105 not entitled',
      ],
    });
  });
});

describe('routing by polarity', () => {
  const policy = {
    version: 'v8',
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
  const receivers = (r: CanonicalRecord) =>
    route(r, policy)
      .filter((d) => d.allowed)
      .map((d) => d.subscriberId);

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

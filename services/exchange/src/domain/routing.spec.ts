import type { CanonicalRecord } from './canonical-record.js';
import { route, type SubscriberEntitlement } from './routing.js';

const record = {
  source: { sector: 'courts' },
  kind: 'courts.dishonest_debtor',
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
        'region 110105 not entitled',
      ],
    });
  });
});

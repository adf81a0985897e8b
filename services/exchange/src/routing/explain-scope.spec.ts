import { subscriberScope } from './explain.controller.js';

describe('who may ask /v1/routing/explain about whom', () => {
  const operator = { clientId: 'ops', role: 'operator' as const };
  const beijing = { clientId: 'bj', role: 'subscriber' as const, subscriberId: 'beijing-platform' };

  it('Given an operator, When it asks about any subscriber, Then that one is in scope', () => {
    expect(subscriberScope(operator, 'shanghai-platform')).toBe('shanghai-platform');
  });

  it('Given a subscriber, When it asks about itself or names none, Then itself is in scope', () => {
    expect(subscriberScope(beijing, 'beijing-platform')).toBe('beijing-platform');
    expect(subscriberScope(beijing, undefined)).toBe('beijing-platform');
  });

  it('Given a subscriber, When it asks about another, Then it is refused', () => {
    expect(() => subscriberScope(beijing, 'shanghai-platform')).toThrow(
      'client bj may only ask about subscriber beijing-platform',
    );
  });

  it('Given a subject desk, When it asks, Then it is refused', () => {
    expect(() => subscriberScope({ clientId: 'desk', role: 'subject-desk' }, 'beijing-platform')).toThrow(
      /may only ask about subscriber \(none\)/,
    );
  });
});

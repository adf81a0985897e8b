import { SessionStore } from './session.store.js';

describe('SessionStore', () => {
  it('keeps a session while it is used and forgets it, key included, after the idle time', () => {
    // Given a store with a 1 s idle time and a clock we move
    let now = 0;
    const store = new SessionStore(1000, () => now);
    const session = store.create({ key: 'demo-key-operator', role: 'operator', label: 'operator' });
    // When it is used within the idle time it stays
    now = 900;
    expect(store.touch(session.id)?.key).toBe('demo-key-operator');
    now = 1800;
    expect(store.touch(session.id)?.role).toBe('operator');
    // Then idle for longer than that it is gone
    now = 2900;
    expect(store.touch(session.id)).toBeUndefined();
    expect(store.touch(session.id)).toBeUndefined();
  });

  it('gives every session its own unguessable id and form token', () => {
    const store = new SessionStore(1000);
    const a = store.create({ key: 'k', role: 'agency', label: 'agency (courts)', sector: 'courts' });
    const b = store.create({ key: 'k', role: 'agency', label: 'agency (courts)', sector: 'courts' });
    expect(a.id).not.toBe(b.id);
    expect(a.csrf).not.toBe(a.id);
    expect(a.id.length).toBeGreaterThanOrEqual(43);
  });
});

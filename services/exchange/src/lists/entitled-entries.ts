import type { SqlRunner } from '@cie/platform';
import type { CanonicalRecord } from '../domain/canonical-record.js';
import { route, type SubscriberPolicy } from '../domain/routing.js';

/**
 * The entries a subscriber may see: those whose record version its entitlement lets it receive (the
 * same routing as its feed). One query for all of them; none for a client that is no subscriber of
 * the policy.
 */
export async function entitledEntries<E extends { recordId: string; recordVersion: number }>(
  db: SqlRunner,
  entries: readonly E[],
  policy: SubscriberPolicy,
  subscriberId: string | undefined,
): Promise<E[]> {
  const subscriber = policy.subscribers.find((s) => s.id === subscriberId);
  if (!subscriber || entries.length === 0) return [];
  const rows = await db.query<{ record_id: string; version: number; body: CanonicalRecord }[]>(
    `SELECT record_id, version, body FROM exchange.record_versions
      WHERE (record_id, version) IN (SELECT * FROM unnest($1::uuid[], $2::int[]))`,
    [entries.map((e) => e.recordId), entries.map((e) => e.recordVersion)],
  );
  const allowed = new Set(
    rows
      .filter((r) => route(r.body, policy).find((d) => d.subscriberId === subscriber.id)?.allowed)
      .map((r) => `${r.record_id}/${r.version}`),
  );
  return entries.filter((e) => allowed.has(`${e.recordId}/${e.recordVersion}`));
}

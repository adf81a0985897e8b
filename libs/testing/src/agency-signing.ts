import { readFileSync } from 'node:fs';
import { hashDemoBearerKey, loadMessageSigner, type MessageSigner } from '@cie/platform';
import { REPO_ROOT } from './service-process.js';

const AGENCY_KEYS = `${REPO_ROOT}deploy/local/agency-keys.demo.json`;
const SIGNING_KEYS = `${REPO_ROOT}deploy/local/agency-signing-keys.demo.json`;

/** The demo agency whose bearer key is `demoKey` (deploy/local/agency-keys.demo.json). */
export function demoAgencyOf(demoKey: string): string {
  const hash = hashDemoBearerKey(demoKey);
  const { agencies } = JSON.parse(readFileSync(AGENCY_KEYS, 'utf8')) as {
    agencies: { agencyId: string; keyScrypt: string }[];
  };
  const agency = agencies.find((a) => a.keyScrypt === hash);
  if (!agency) throw new Error(`no demo agency has the key ${demoKey}`);
  return agency.agencyId;
}

/** The demo signing key of an agency (deploy/local/agency-signing-keys.demo.json). */
export const demoAgencySigner = (agencyId: string): MessageSigner =>
  loadMessageSigner('AGENCY_SIGNING_KEYS_FILE', SIGNING_KEYS, agencyId, { demoMode: true });

/**
 * A submission for agency.<sector>.submissions.v1 as an agency sends it: its ce_id and its
 * signature, by the demo agency whose bearer key is `demoKey`.
 */
export function signedSubmission(
  topic: string,
  demoKey: string,
  ceId: string,
  value: string | Buffer,
  headers: Record<string, string> = {},
): { value: Buffer; headers: Record<string, string> } {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value);
  return {
    value: bytes,
    headers: {
      ...headers,
      ce_id: ceId,
      ...demoAgencySigner(demoAgencyOf(demoKey)).headers(topic, ceId, bytes),
    },
  };
}

import { readFileSync } from 'node:fs';
import specs from '@asyncapi/specs';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { SECTORS, Topics } from '../topics.js';
import { asyncApiChannelOf, buildAsyncApi } from './asyncapi.js';

type Json = Record<string, unknown>;
interface Document {
  channels: Record<string, { address: string; messages: Record<string, Json> }>;
  operations: Record<string, { action: string; channel: { $ref: string }; messages: { $ref: string }[] }>;
  components: { schemas: Record<string, Json> };
}

const doc = buildAsyncApi() as unknown as Document;

/**
 * The official schema bundles the draft-07 meta-schema under its own $id, so Ajv's copy is left out
 * (meta: false) rather than registered twice; the AsyncAPI schema itself is not re-validated.
 */
function asyncApiValidator() {
  const ajv = new Ajv({ strict: false, allErrors: true, meta: false, validateSchema: false });
  addFormats.default(ajv);
  return ajv.compile(specs.schemas['3.0.0']);
}

/** Follows a local JSON pointer (`#/a/b`) through the document. */
function resolve(pointer: string): unknown {
  if (!pointer.startsWith('#/')) throw new Error(`not a local reference: ${pointer}`);
  return pointer
    .slice(2)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], doc);
}

function refsIn(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refsIn(n, out));
  else if (node && typeof node === 'object')
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') out.push(value);
      else refsIn(value, out);
    }
  return out;
}

const describes = (topic: string) => asyncApiChannelOf(topic) !== undefined;

describe('the AsyncAPI document of the Kafka topics', () => {
  it('is valid against the official AsyncAPI 3.0.0 JSON Schema', () => {
    const validate = asyncApiValidator();
    const valid = validate(doc);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('refuses a broken document, so the validation above can fail', () => {
    const validate = asyncApiValidator();
    expect(validate({ ...doc, channels: { bad: { address: 42 } } })).toBe(false);
    expect(validate({ ...doc, asyncapi: '2.6.0' })).toBe(false);
    const courts = doc.channels['courts.events']!;
    const badMessage = { ...courts, messages: { x: { payload: {}, contentType: 5 } } };
    expect(validate({ ...doc, channels: { ...doc.channels, 'courts.events': badMessage } })).toBe(false);
  });

  it('has every reference resolve, and operations only name messages of their own channel', () => {
    const unresolved = refsIn(doc).filter((ref) => resolve(ref) === undefined);
    expect(unresolved).toEqual([]);
    for (const [id, operation] of Object.entries(doc.operations)) {
      for (const message of operation.messages)
        expect({ id, message: message.$ref }).toEqual({
          id,
          message: expect.stringMatching(new RegExp(`^${operation.channel.$ref}/messages/`)) as unknown,
        });
      expect(['send', 'receive']).toContain(operation.action);
    }
  });

  it('describes every topic of the registry, each consumed one with its dead-letter topic', () => {
    const topics = [
      ...SECTORS.flatMap((s) => [
        Topics.sectorEvents(s),
        Topics.outcomes(s),
        Topics.requests(s),
        Topics.agencySubmissions(s),
        Topics.agencyReceipts(s),
      ]),
      Topics.exchangeCommands,
      Topics.feedAcks,
      Topics.feed('beijing-platform'),
    ];
    for (const topic of topics)
      expect({ topic, described: describes(topic) }).toEqual({ topic, described: true });
    for (const topic of topics.filter((t) => !t.startsWith('agency.') || t.endsWith('submissions.v1')))
      expect({ topic, dlq: describes(Topics.deadLetters(topic)) }).toEqual({ topic, dlq: true });
    expect(describes('credit.unknown.v1')).toBe(false);
  });

  it("carries each sector's record events with the protobuf JSON mapping of their fields", () => {
    const courts = doc.channels['courts.events']!;
    expect(Object.keys(courts.messages)).toEqual(
      expect.arrayContaining([
        'cie.courts.v1.DishonestDebtorEvent',
        'cie.courts.v1.ConsumptionRestrictionEvent',
        'cie.common.v1.RecordWithdrawal',
        'cie.credit.v1.DisputeResolution',
      ]),
    );
    const feedEvent = doc.components.schemas['cie.credit.v1.FeedEvent'] as {
      properties: Record<string, Json>;
    };
    expect(feedEvent.properties['occurredAt']).toEqual({ type: 'string', format: 'date-time' });
    expect(feedEvent.properties['record']).toEqual({
      $ref: '#/components/schemas/cie.credit.v1.CreditRecord',
    });
    const headers = (courts.messages['cie.common.v1.RecordWithdrawal'] as { headers: Json }).headers as {
      properties: Record<string, Json>;
    };
    expect(headers.properties['ce_type']).toEqual({ enum: ['credit.record.withdrawn'] });
    expect(headers.properties['ce_dataschema']).toEqual({ const: 'cie.common.v1.RecordWithdrawal' });
  });

  it('is what libs/contracts/asyncapi.json holds (regenerate: node tools/contracts/asyncapi.mjs)', () => {
    const committed = JSON.parse(
      readFileSync(new URL('../../asyncapi.json', import.meta.url), 'utf8'),
    ) as unknown;
    expect(committed).toEqual(JSON.parse(JSON.stringify(doc)));
  });
});

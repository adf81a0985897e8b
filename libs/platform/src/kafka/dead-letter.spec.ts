import { deadLetterMessage } from './dead-letter.js';

const position = { topic: 'credit.feed-acks.v1', partition: 2, offset: '41' };
const original = {
  key: Buffer.from('k'),
  value: Buffer.from([0, 1]),
  headers: { ce_id: Buffer.from('e-1') },
};

describe('deadLetterMessage', () => {
  it('Given a Refusal, When dead-lettered, Then dlq_code is its code and dlq_field the field', () => {
    const dead = deadLetterMessage(position, original, {
      code: 'invalid_field',
      field: 'subscriber',
      detail: 'subscriber contains a control character',
    });
    expect(dead).toEqual({
      topic: 'credit.feed-acks.v1.dlq',
      key: original.key,
      value: original.value,
      headers: {
        ce_id: 'e-1',
        dlq_code: 'invalid_field',
        dlq_reason: 'subscriber contains a control character',
        dlq_field: 'subscriber',
        dlq_source_topic: 'credit.feed-acks.v1',
        dlq_source_partition: '2',
        dlq_source_offset: '41',
      },
    });
  });

  it('Given an authorization header, When dead-lettered, Then the credential is not copied to the dead letter', () => {
    const dead = deadLetterMessage(
      { ...position, topic: 'agency.courts.submissions.v1' },
      { ...original, headers: { ...original.headers, Authorization: Buffer.from('Bearer secret') } },
      { code: 'unsigned', detail: 'sign it' },
    );
    expect(dead.headers['ce_id']).toBe('e-1');
    expect(JSON.stringify(dead.headers)).not.toContain('secret');
  });

  it('Given a free-text reason (older callers), When dead-lettered, Then its code is derived once, here', () => {
    const dead = deadLetterMessage(position, original, 'invalid envelope: header ce_id is missing');
    expect(dead.headers).toMatchObject({
      dlq_code: 'invalid_envelope',
      dlq_reason: 'invalid envelope: header ce_id is missing',
    });
  });
});

import { fromBinary } from '@bufbuild/protobuf';
import { CeHeader, ProcessingOutcomeSchema } from '@cie/contracts';
import { cieMetrics, deadLetterReasonCode } from '@cie/platform';
import type { OutboundMessage } from '../outbound.js';

const FEED_TOPIC = /^credit\.feed\.(.+)\.v1$/;
const OUTCOMES_TOPIC = /^credit\.([a-z]+)\.outcomes\.v1$/;

/** Counts what a committed Kafka transaction published: feed messages, dead letters, outcomes. */
export function countCommitted(outbound: OutboundMessage[]): void {
  for (const m of outbound) {
    const feed = FEED_TOPIC.exec(m.topic);
    if (feed) {
      cieMetrics.feedDeliveries.inc({ subscriber: feed[1], type: m.headers[CeHeader.type] ?? 'unknown' });
      continue;
    }
    if (m.topic.endsWith('.dlq')) {
      const source = m.headers['dlq_source_topic'] ?? m.topic.slice(0, -'.dlq'.length);
      cieMetrics.deadLetters.inc({
        topic: source,
        reason: deadLetterReasonCode(m.headers),
      });
      continue;
    }
    const outcome = OUTCOMES_TOPIC.exec(m.topic);
    if (outcome && m.value) {
      try {
        const { status } = fromBinary(ProcessingOutcomeSchema, m.value);
        cieMetrics.eventsProcessed.inc({ sector: outcome[1], outcome: status });
      } catch {
        // an outcome we wrote ourselves; unreadable only if the contract changed under us
      }
    }
  }
}

export function byTopic(messages: OutboundMessage[]) {
  const topics = new Map<string, Pick<OutboundMessage, 'key' | 'value' | 'headers'>[]>();
  for (const { topic, key, value, headers } of messages) {
    const list = topics.get(topic);
    if (list) list.push({ key, value, headers });
    else topics.set(topic, [{ key, value, headers }]);
  }
  return [...topics].map(([topic, list]) => ({ topic, messages: list }));
}

import type { DisputesHandler } from '../lifecycle/disputes.handler.js';
import type { ExpiryHandler } from '../lifecycle/expiry.handler.js';
import type { JointMeasuresHandler } from '../measures/joint-measures.handler.js';
import type { RepairsHandler } from '../lifecycle/repairs.handler.js';
import type { Applied, Step } from '../outbound.js';
import type { PolicyChangeHandler } from '../policy/policy-change.handler.js';
import type { PublicationHandler } from '../publication/publication.handler.js';
import type { DecodedEvent } from './sector-event.decoder.js';

type Action = DecodedEvent['action'];
/** Every action but `publish`, which is handled a batch at a time. */
export type OneByOne = Exclude<Action, 'publish'>;
export type HandlerRegistry = { [A in OneByOne]: (step: Step, item: DecodedEvent<A>) => Promise<Applied> };

/**
 * The registry from a message's action to its handler: one line per action, and a missing one is a
 * compile error (the mapped type lists every action the decoder can produce).
 */
export function handlerRegistry(h: {
  publication: PublicationHandler;
  disputes: DisputesHandler;
  repairs: RepairsHandler;
  expiry: ExpiryHandler;
  policy: PolicyChangeHandler;
  measures: JointMeasuresHandler;
}): HandlerRegistry {
  return {
    correct: (step, item) => h.publication.correct(step, item),
    withdraw: (step, item) => h.publication.withdraw(step, item),
    file_dispute: (step, item) => h.disputes.file(step, item),
    resolve_dispute: (step, item) => h.disputes.resolve(step, item),
    request_repair: (step, item) => h.repairs.request(step, item),
    decide_repair: (step, item) => h.repairs.decide(step, item),
    expire: (step, item) => h.expiry.expire(step, item),
    apply_policy: (step, item) => h.policy.apply(step, item),
    answer_task: (step, item) => h.measures.answer(step, item),
  };
}

/** Applies one item with its handler (the registry's types pair each action with its item). */
export function dispatch(
  registry: HandlerRegistry,
  step: Step,
  item: DecodedEvent<OneByOne>,
): Promise<Applied> {
  const handler = registry[item.action] as (step: Step, item: DecodedEvent<OneByOne>) => Promise<Applied>;
  return handler(step, item);
}

import type { SourcePosition } from '@cie/platform';
import type { Answerer } from './domain/deciders.js';

const SECTOR_TOPIC = /^credit\.([a-z]+)\.events\.v1$/;

/** Who sent an agency's answer: the sector whose topic carried it, and the agency it names. */
export function answererOf(item: { position: SourcePosition }, agencyId: string | undefined): Answerer {
  return { sector: SECTOR_TOPIC.exec(item.position.topic)?.[1], agencyId };
}

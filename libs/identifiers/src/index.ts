export { normaliseIdentifier } from './normalise.js';
export type { IdentifierCheck } from './result.js';
export { checkUscc, setLegacyUsccCodes, usccCheckCharacter } from './uscc.js';
export { checkResidentId } from './resident-id.js';

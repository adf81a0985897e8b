import { checkResidentId, checkUscc } from '@cie/identifiers';
import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';

/** Subject kinds as agencies write them in JSON. */
export const SUBJECT_KINDS = ['legal_entity', 'natural_person', 'other'] as const;
export type SubjectKindName = (typeof SUBJECT_KINDS)[number];

/**
 * Checks an identity number against the subject kind found in the sibling property `kindProperty`:
 * a resident identity number for natural persons, a unified social credit code otherwise.
 */
export function IsSubjectIdNumber(
  kindProperty = 'kind',
  /** Defaults to the configured allow-list (LEGACY_USCC_FILE). */
  legacyUscc?: ReadonlySet<string>,
  options?: ValidationOptions,
) {
  const isPerson = (args: ValidationArguments) =>
    (args.object as Record<string, unknown>)[kindProperty] === 'natural_person';
  const check = (value: unknown, args: ValidationArguments) => {
    if (typeof value !== 'string') return { valid: false as const, reason: 'must be a string' };
    return isPerson(args) ? checkResidentId(value) : checkUscc(value, legacyUscc);
  };
  return (target: object, propertyName: string) => {
    registerDecorator({
      name: 'isSubjectIdNumber',
      target: target.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown, args: ValidationArguments) => check(value, args).valid,
        defaultMessage: (args: ValidationArguments) => {
          const result = check(args.value, args);
          const what = isPerson(args) ? 'resident identity number' : 'unified social credit code';
          return `${args.property} ${result.valid ? 'is invalid' : result.reason} (${what})`;
        },
      },
    });
  };
}

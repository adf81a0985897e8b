import {
  type CreditRatingEvent,
  CreditRatingEventSchema,
  type MajorViolationEvent,
  MajorViolationEventSchema,
  MajorViolationTypeSchema,
  TaxCreditLevelSchema,
} from '@cie/contracts';
import { amount, enumName, isoDate, NormalisationError, type SectorMapping, text } from './common.js';

/** 重大税收违法失信主体: the violation, the tax involved and the period it covers. */
export const majorViolation: SectorMapping<MajorViolationEvent> = {
  schema: MajorViolationEventSchema,
  kind: 'tax.major_violation',
  attributes: (event) => {
    const from = isoDate(event.violationPeriodFrom, 'violationPeriodFrom', true) as string;
    const to = isoDate(event.violationPeriodTo, 'violationPeriodTo', true) as string;
    if (to < from)
      throw new NormalisationError(`violationPeriodTo ${to} is before violationPeriodFrom ${from}`);
    return {
      violationType: enumName(MajorViolationTypeSchema, event.violationType, 'violationType'),
      facts: text(event.facts, 'facts', true),
      taxAmountInvolved: amount(event.taxAmountInvolved, 'taxAmountInvolved', true),
      penaltyAmount: amount(event.penaltyAmount, 'penaltyAmount'),
      violationPeriodFrom: from,
      violationPeriodTo: to,
      legalRepresentative: text(event.legalRepresentative, 'legalRepresentative'),
      provisionsApplied: text(event.legalBasis, 'legalBasis'),
    };
  },
};

/** 纳税信用等级: the level (a, b, m, c, d) and the tax year it rates. */
export const creditRating: SectorMapping<CreditRatingEvent> = {
  schema: CreditRatingEventSchema,
  kind: 'tax.credit_rating',
  attributes: (event) => {
    if (!/^\d{4}$/.test(event.evaluationYear))
      throw new NormalisationError(
        `evaluationYear ${event.evaluationYear || '(empty)'} is not a four-digit year`,
      );
    return {
      rating: enumName(TaxCreditLevelSchema, event.rating, 'rating'),
      evaluationYear: event.evaluationYear,
    };
  },
};

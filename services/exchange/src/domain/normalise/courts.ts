import {
  type ConsumptionRestrictionEvent,
  ConsumptionRestrictionEventSchema,
  type DishonestDebtorEvent,
  DishonestDebtorEventSchema,
  PerformanceStatusSchema,
  RestrictedMeasureSchema,
} from '@cie/contracts';
import { amount, enumName, enumNames, type SectorMapping, text } from './common.js';

/** 失信被执行人: the enforcement case, the obligation and how far it was performed. */
export const dishonestDebtor: SectorMapping<DishonestDebtorEvent> = {
  schema: DishonestDebtorEventSchema,
  kind: 'courts.dishonest_debtor',
  attributes: (event) => ({
    caseNumber: event.source?.decisionNumber,
    court: event.source?.decidingAuthority,
    obligation: text(event.obligation, 'obligation', true),
    performanceStatus: enumName(PerformanceStatusSchema, event.performanceStatus, 'performanceStatus'),
    outstandingAmount: amount(event.outstandingAmount, 'outstandingAmount'),
    enforcementBasis: text(event.enforcementBasis, 'enforcementBasis'),
  }),
};

/** 限制消费令: what the debtor may not do, and for an organisation who is restricted with it. */
export const consumptionRestriction: SectorMapping<ConsumptionRestrictionEvent> = {
  schema: ConsumptionRestrictionEventSchema,
  kind: 'courts.consumption_restriction',
  attributes: (event) => ({
    caseNumber: event.source?.decisionNumber,
    court: event.source?.decidingAuthority,
    restrictedMeasures: enumNames(RestrictedMeasureSchema, event.restrictedMeasures, 'restrictedMeasures'),
    legalRepresentative: text(event.legalRepresentative, 'legalRepresentative'),
    outstandingAmount: amount(event.outstandingAmount, 'outstandingAmount'),
    enforcementBasis: text(event.enforcementBasis, 'enforcementBasis'),
  }),
};

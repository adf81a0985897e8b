import {
  DecidingAuthorityKindSchema,
  PlatformAction,
  PlatformActionSchema,
  type PlatformViolationEvent,
  PlatformViolationEventSchema,
  PlatformViolationTypeSchema,
} from '@cie/contracts';
import { amount, enumName, enumNames, NormalisationError, type SectorMapping, text } from './common.js';

/** 电子商务经营者违法违规: the violation, who decided, the platform and shop, and the measures taken. */
export const platformViolation: SectorMapping<PlatformViolationEvent> = {
  schema: PlatformViolationEventSchema,
  kind: 'ecommerce.platform_violation',
  attributes: (event) => {
    const fineAmount = amount(event.fineAmount, 'fineAmount');
    if ((fineAmount !== undefined) !== event.actionsTaken.includes(PlatformAction.FINE))
      throw new NormalisationError('fineAmount is given exactly when actionsTaken includes fine');
    return {
      violation: enumName(PlatformViolationTypeSchema, event.violation, 'violation'),
      facts: text(event.facts, 'facts', true),
      authorityKind: enumName(DecidingAuthorityKindSchema, event.authorityKind, 'authorityKind'),
      platformId: text(event.platform?.id ?? '', 'platform.id', true),
      platformName: text(event.platform?.name ?? '', 'platform.name', true),
      shopId: text(event.shop?.id ?? '', 'shop.id', true),
      shopName: text(event.shop?.name ?? '', 'shop.name', true),
      shopUrl: text(event.shop?.url ?? '', 'shop.url'),
      actionsTaken: enumNames(PlatformActionSchema, event.actionsTaken, 'actionsTaken'),
      fineAmount,
      provisionsApplied: text(event.legalBasis, 'legalBasis'),
    };
  },
};

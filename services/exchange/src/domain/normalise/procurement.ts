import {
  type SupplierMisconductEvent,
  SupplierMisconductEventSchema,
  SupplierMisconductTypeSchema,
} from '@cie/contracts';
import { checkUscc } from '@cie/identifiers';
import { amount, enumName, isoDate, NormalisationError, type SectorMapping, text } from './common.js';

/** 政府采购供应商不良行为: the misconduct, the penalty (a fine, a ban or both), the project and purchaser. */
export const supplierMisconduct: SectorMapping<SupplierMisconductEvent> = {
  schema: SupplierMisconductEventSchema,
  kind: 'procurement.supplier_misconduct',
  attributes: (event) => {
    const fineAmount = amount(event.fineAmount, 'fineAmount');
    const banFrom = isoDate(event.banFrom, 'banFrom');
    const banUntil = isoDate(event.banUntil, 'banUntil');
    if ((banFrom === undefined) !== (banUntil === undefined))
      throw new NormalisationError('banFrom and banUntil go together: give both or neither');
    if (banFrom !== undefined && banUntil !== undefined && banUntil < banFrom)
      throw new NormalisationError(`banUntil ${banUntil} is before banFrom ${banFrom}`);
    if (fineAmount === undefined && banFrom === undefined)
      throw new NormalisationError('the penalty is a fine, a ban or both: fineAmount and banFrom are empty');
    const purchaserUscc = text(event.purchaser?.uscc ?? '', 'purchaser.uscc');
    if (purchaserUscc !== undefined) {
      const check = checkUscc(purchaserUscc);
      if (!check.valid) throw new NormalisationError(`purchaser.uscc ${check.reason}`);
    }
    return {
      misconduct: enumName(SupplierMisconductTypeSchema, event.misconduct, 'misconduct'),
      facts: text(event.facts, 'facts', true),
      fineAmount,
      banFrom,
      banUntil,
      projectNumber: text(event.project?.number ?? '', 'project.number', true),
      projectName: text(event.project?.name ?? '', 'project.name', true),
      purchaserName: text(event.purchaser?.name ?? '', 'purchaser.name', true),
      purchaserUscc,
      provisionsApplied: text(event.legalBasis, 'legalBasis'),
    };
  },
};

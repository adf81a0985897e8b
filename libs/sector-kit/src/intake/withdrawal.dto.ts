import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsCalendarDate } from '../sector-record.dto.js';

export const WITHDRAWAL_REASONS = [
  'decision_revoked',
  'obligation_fulfilled',
  'published_in_error',
  'other',
] as const;

/** POST /v1/records/{sourceRecordId}/withdrawal */
export class WithdrawalDto {
  @IsIn(WITHDRAWAL_REASONS)
  reason!: (typeof WITHDRAWAL_REASONS)[number];

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;

  /** From when the record no longer applies. */
  @IsCalendarDate()
  withdrawnOn!: string;
}

import { IsBoolean, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';

/** An owning agency's answer to a dispute (DESIGN §8). */
export class DisputeResolutionDto {
  /** upheld: the record stands; corrected: a correction was sent first; withdrawn: the record is withdrawn. */
  @IsIn(['upheld', 'corrected', 'withdrawn'], { message: 'outcome must be upheld, corrected or withdrawn' })
  outcome!: 'upheld' | 'corrected' | 'withdrawn';

  @IsOptional()
  @IsString()
  @MaxLength(4000)
  note?: string;
}

export class RepairDecisionDto {
  @IsBoolean({ message: 'approved must be true or false' })
  approved!: boolean;

  @IsOptional()
  @IsString()
  @MaxLength(4000)
  note?: string;
}

import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { type Scenario, SCENARIOS } from '../../measures/domain/joint-measures.js';

/** At most this many subjects in one check (批量比对). */
export const MAX_CHECK_SUBJECTS = 1000;

/** A check at the point of decision (DESIGN §13): who, for which decision, in which file, why. */
export class CheckRequestDto {
  /** Unified social credit codes or resident identity numbers (or subject pseudonyms), 1 to 1,000. */
  @IsArray()
  @ArrayMinSize(1, { message: 'subjects must name at least one subject' })
  @ArrayMaxSize(MAX_CHECK_SUBJECTS, { message: `subjects must hold at most ${MAX_CHECK_SUBJECTS} subjects` })
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  subjects!: string[];

  @IsIn(SCENARIOS, { message: `scenario must be one of ${SCENARIOS.join(', ')}` })
  scenario!: Scenario;

  /** The file the decision belongs to, e.g. the tender number. */
  @IsString()
  @IsNotEmpty({ message: 'businessReference must name the file, e.g. the tender number' })
  @MaxLength(200)
  businessReference!: string;

  @IsString()
  @IsNotEmpty({ message: 'purpose must say why the check is made' })
  @MaxLength(200)
  purpose!: string;
}

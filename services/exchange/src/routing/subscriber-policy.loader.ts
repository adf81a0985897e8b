import { readFileSync } from 'node:fs';
import { Type, plainToInstance } from 'class-transformer';
import {
  ArrayMinSize,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  ValidateNested,
  validateSync,
} from 'class-validator';
import { SECTORS, type Sector } from '@cie/contracts';
import { ConfigurationError, toFieldProblems } from '@cie/platform';
import type { DisclosureLevelName, PolarityName } from '../domain/canonical-record.js';
import type { SubscriberPolicy } from '../domain/routing.js';

class SubscriberEntry {
  /** Becomes part of the feed topic name credit.feed.<id>.v1. */
  @Matches(/^[a-z0-9][a-z0-9-]{1,62}$/, { message: 'id must be lower-case letters, digits and hyphens' })
  id!: string;

  @IsString()
  name!: string;

  @IsIn(SECTORS, { each: true })
  @ArrayMinSize(1)
  sectors!: Sector[];

  @Matches(/^(\*|[a-z]+\.[a-z_]+)$/, {
    each: true,
    message: 'kinds must be catalogue kinds like courts.dishonest_debtor, or *',
  })
  @ArrayMinSize(1)
  kinds!: string[];

  @IsIn(['public', 'authorised', 'shared'], { each: true })
  @ArrayMinSize(1)
  levels!: DisclosureLevelName[];

  /** Record polarities the subscriber takes; absent: all. */
  @IsOptional()
  @IsIn(['positive', 'negative', 'neutral'], { each: true })
  @ArrayMinSize(1)
  polarities?: PolarityName[];

  @Matches(/^(\*|\d{2,6})$/, {
    each: true,
    message: 'regions must be division code prefixes (2-6 digits) or *',
  })
  @ArrayMinSize(1)
  regions!: string[];

  @IsIn(['pseudonym', 'clear'])
  naturalPersonIdentity!: 'pseudonym' | 'clear';
}

class PolicyFile {
  @IsString()
  version!: string;

  @ValidateNested({ each: true })
  @Type(() => SubscriberEntry)
  @ArrayMinSize(1)
  subscribers!: SubscriberEntry[];
}

/** Loads and validates the subscriber policy; every problem names the file and the entry path. */
export function loadSubscriberPolicy(file: string): SubscriberPolicy {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigurationError([`SUBSCRIBERS_FILE ${file}: ${(error as Error).message}`]);
  }
  const parsed = plainToInstance(PolicyFile, raw);
  const problems = toFieldProblems(
    validateSync(parsed, { forbidUnknownValues: true, whitelist: true, forbidNonWhitelisted: true }),
  );
  const ids = parsed.subscribers?.map((s) => s.id) ?? [];
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate) problems.push({ field: 'subscribers', detail: `subscriber id ${duplicate} appears twice` });
  if (problems.length > 0)
    throw new ConfigurationError(problems.map((p) => `SUBSCRIBERS_FILE ${file}: ${p.field} ${p.detail}`));
  return { version: parsed.version, subscribers: parsed.subscribers.map((s) => ({ ...s })) };
}

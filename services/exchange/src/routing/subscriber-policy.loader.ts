import { Type } from 'class-transformer';
import { ArrayMinSize, IsIn, IsOptional, IsString, Matches, ValidateNested } from 'class-validator';
import { SECTORS, type Sector } from '@cie/contracts';
import { ConfigurationError, loadJsonFile } from '@cie/platform';
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
  const parsed = loadJsonFile('SUBSCRIBERS_FILE', file, PolicyFile);
  const ids = parsed.subscribers.map((s) => s.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate)
    throw new ConfigurationError([
      `SUBSCRIBERS_FILE ${file}: subscribers subscriber id ${duplicate} appears twice`,
    ]);
  return { version: parsed.version, subscribers: parsed.subscribers.map((s) => ({ ...s })) };
}

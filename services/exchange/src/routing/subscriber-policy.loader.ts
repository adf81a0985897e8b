import { Type } from 'class-transformer';
import { ArrayMinSize, IsIn, IsOptional, IsString, Matches, ValidateNested } from 'class-validator';
import { SECTORS, type Sector } from '@cie/contracts';
import { ConfigurationError, readJsonFile, validateJson } from '@cie/platform';
import type { DisclosureLevelName, PolarityName } from '../domain/canonical-record.js';
import { REDACTABLE_FIELDS, type RedactableField, type SubscriberPolicy } from '../domain/routing.js';
import { parseReleaseRules } from './release-rules.loader.js';

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

  /** Field policy: attribute keys and/or `subject.name` left out of this subscriber's view. */
  @IsOptional()
  @IsIn(REDACTABLE_FIELDS, {
    each: true,
    message: `redact must name attribute keys or subject.name (${REDACTABLE_FIELDS.join(', ')})`,
  })
  redact?: RedactableField[];
}

class PolicyFile {
  @IsString()
  version!: string;

  @ValidateNested({ each: true })
  @Type(() => SubscriberEntry)
  @ArrayMinSize(1)
  subscribers!: SubscriberEntry[];
}

/** Both sides of the policy as parsed JSON: what a version stores and what a draft sends. */
export interface PolicyDocument {
  subscribers: unknown;
  releaseRules: unknown;
}

/** The two policy files, parsed but not yet validated. */
function readPolicyDocument(subscribersFile: string, releaseRulesFile: string): PolicyDocument {
  return {
    subscribers: readJsonFile('SUBSCRIBERS_FILE', subscribersFile),
    releaseRules: readJsonFile('RELEASE_RULES_FILE', releaseRulesFile),
  };
}

/**
 * Loads and validates both sides of the policy: the subscribers' entitlements and the sectors'
 * release rules (which may only name known subscribers). Every problem names the file and the path.
 */
export function loadSubscriberPolicy(subscribersFile: string, releaseRulesFile: string): SubscriberPolicy {
  return loadPolicyFiles(subscribersFile, releaseRulesFile).policy;
}

/** The policy files read once: the document as written (what a version stores) and the validated policy. */
export function loadPolicyFiles(
  subscribersFile: string,
  releaseRulesFile: string,
): { document: PolicyDocument; policy: SubscriberPolicy } {
  const document = readPolicyDocument(subscribersFile, releaseRulesFile);
  const policy = parsePolicy(document, {
    subscribers: `SUBSCRIBERS_FILE ${subscribersFile}`,
    releaseRules: `RELEASE_RULES_FILE ${releaseRulesFile}`,
  });
  return { document, policy };
}

/** Validates a policy document; every problem starts with the label of the part it is in. */
export function parsePolicy(
  document: PolicyDocument,
  labels: { subscribers: string; releaseRules: string } = {
    subscribers: 'subscribers',
    releaseRules: 'releaseRules',
  },
): SubscriberPolicy {
  const parsed = validateJson(labels.subscribers, document.subscribers, PolicyFile);
  const ids = parsed.subscribers.map((s) => s.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate)
    throw new ConfigurationError([
      `${labels.subscribers}: subscribers subscriber id ${duplicate} appears twice`,
    ]);
  const release = parseReleaseRules(labels.releaseRules, document.releaseRules, ids);
  return {
    version: `subscribers@${parsed.version}+release@${release.version}`,
    subscribers: parsed.subscribers.map((s) => ({ ...s })),
    release,
  };
}

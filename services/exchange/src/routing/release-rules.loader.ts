import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsIn, IsString, Matches, ValidateNested } from 'class-validator';
import type { Sector } from '@cie/contracts';
import { ConfigurationError, readJsonFile, validateJson } from '@cie/platform';
import type { DisclosureLevelName } from '../domain/canonical-record.js';
import type { ReleaseRules } from '../domain/routing.js';

export const DEFAULT_RELEASE_RULES_FILE = 'deploy/local/release-rules.demo.json';

class ReleaseRuleEntry {
  @Matches(/^(\*|[a-z0-9][a-z0-9-]{1,62})$/, {
    each: true,
    message: 'subscribers must be subscriber ids or *',
  })
  @ArrayMinSize(1)
  subscribers!: string[];

  @Matches(/^(\*|[a-z]+\.[a-z_]+)$/, {
    each: true,
    message: 'kinds must be catalogue kinds like courts.dishonest_debtor, or *',
  })
  @ArrayMinSize(1)
  kinds!: string[];

  @IsIn(['public', 'authorised', 'shared'], { each: true })
  @ArrayMinSize(1)
  levels!: DisclosureLevelName[];
}

/** Every sector is listed, so a forgotten sector is an error rather than a silent blackout; `[]` releases nothing. */
class SectorRules implements Record<Sector, ReleaseRuleEntry[]> {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ReleaseRuleEntry)
  tax!: ReleaseRuleEntry[];

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ReleaseRuleEntry)
  procurement!: ReleaseRuleEntry[];

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ReleaseRuleEntry)
  courts!: ReleaseRuleEntry[];

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ReleaseRuleEntry)
  ecommerce!: ReleaseRuleEntry[];
}

class ReleaseRulesFile {
  @IsString()
  version!: string;

  @ValidateNested()
  @Type(() => SectorRules)
  sectors!: SectorRules;
}

/**
 * Loads and validates the sectors' release rules (DESIGN §7, the owning sector's side). Every
 * problem names the file and the path; a rule may only name kinds of its own sector and, when
 * `subscriberIds` is given, only known subscribers.
 */
export function loadReleaseRules(file: string, subscriberIds?: readonly string[]): ReleaseRules {
  return parseReleaseRules(
    `RELEASE_RULES_FILE ${file}`,
    readJsonFile('RELEASE_RULES_FILE', file),
    subscriberIds,
  );
}

/** Validates release rules given as parsed JSON (a file's, or a draft's); problems start with `label`. */
export function parseReleaseRules(
  label: string,
  raw: unknown,
  subscriberIds?: readonly string[],
): ReleaseRules {
  const parsed = validateJson(label, raw, ReleaseRulesFile);
  const problems: string[] = [];
  const sectors: Partial<Record<Sector, ReleaseRules['sectors'][Sector]>> = {};
  for (const [sector, rules] of Object.entries(parsed.sectors) as [Sector, ReleaseRuleEntry[]][]) {
    rules.forEach((rule, i) => {
      const at = `${label}: sectors.${sector}[${i}]`;
      for (const kind of rule.kinds.filter((k) => k !== '*' && !k.startsWith(`${sector}.`)))
        problems.push(`${at}.kinds ${kind} is not a kind of sector ${sector}`);
      for (const id of rule.subscribers.filter(
        (s) => s !== '*' && subscriberIds && !subscriberIds.includes(s),
      ))
        problems.push(`${at}.subscribers ${id} is not a subscriber in SUBSCRIBERS_FILE`);
    });
    sectors[sector] = rules.map((r) => ({ subscribers: r.subscribers, kinds: r.kinds, levels: r.levels }));
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  return { version: parsed.version, sectors };
}

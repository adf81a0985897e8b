import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Type, plainToInstance } from 'class-transformer';
import { ArrayMinSize, IsIn, IsString, Matches, ValidateNested, validateSync } from 'class-validator';
import { SECTORS, type Sector } from '@cie/contracts';
import { ConfigurationError } from '../config/load-config.js';
import { toFieldProblems } from '../http/validation.js';

/** An agency as it authenticates: each key is bound to one agency of one sector and stored hashed. */
export class AgencyKeyEntry {
  @Matches(/^[a-z0-9][a-z0-9-]{1,62}$/, {
    message: 'agencyId must be lower-case letters, digits and hyphens',
  })
  agencyId!: string;

  @IsIn(SECTORS)
  sector!: Sector;

  @IsString()
  name!: string;

  /** SHA-256 of the bearer key, hex. Keys are long random tokens, so a fast hash is enough. */
  @Matches(/^[0-9a-f]{64}$/, { message: 'keySha256 must be 64 lower-case hex characters' })
  keySha256!: string;
}

class AgencyKeyFile {
  @ValidateNested({ each: true })
  @Type(() => AgencyKeyEntry)
  @ArrayMinSize(1)
  agencies!: AgencyKeyEntry[];
}

export interface Agency {
  agencyId: string;
  sector: Sector;
  name: string;
}

export const hashAgencyKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** Agencies by key hash, loaded from a JSON file and validated; a bad file stops the service at start. */
export class AgencyDirectory {
  private constructor(private readonly byHash: ReadonlyMap<string, Agency>) {}

  static fromFile(file: string): AgencyDirectory {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ConfigurationError([`AGENCY_KEYS_FILE ${file}: ${(error as Error).message}`]);
    }
    const parsed = plainToInstance(AgencyKeyFile, raw);
    const problems = toFieldProblems(validateSync(parsed, { forbidUnknownValues: true }));
    if (problems.length > 0)
      throw new ConfigurationError(problems.map((p) => `AGENCY_KEYS_FILE ${file}: ${p.field} ${p.detail}`));
    return new AgencyDirectory(
      new Map(
        parsed.agencies.map((a) => [a.keySha256, { agencyId: a.agencyId, sector: a.sector, name: a.name }]),
      ),
    );
  }

  authenticate(bearerKey: string): Agency | undefined {
    return this.byHash.get(hashAgencyKey(bearerKey));
  }
}

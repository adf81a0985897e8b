import { createHash } from 'node:crypto';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsIn, IsString, Matches, ValidateNested } from 'class-validator';
import { SECTORS, type Sector } from '@cie/contracts';
import { loadJsonFile } from '../config/load-json-file.js';

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
    const parsed = loadJsonFile('AGENCY_KEYS_FILE', file, AgencyKeyFile);
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

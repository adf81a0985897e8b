import { Type } from 'class-transformer';
import { ArrayMinSize, IsIn, IsString, Matches, ValidateNested } from 'class-validator';
import { SECTORS, type Sector } from '@cie/contracts';
import { KeyDirectory } from '../auth/key-directory.js';
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

  /** SHA-256 of the bearer key, hex (hashBearerKey). */
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

/**
 * Agencies by key hash, loaded from a JSON file and validated; a bad file (duplicate keys, demo keys
 * outside DEMO_MODE) stops the service at start.
 */
export class AgencyDirectory {
  private constructor(private readonly keys: KeyDirectory<Agency>) {}

  static fromFile(file: string, options: { demoMode: boolean }): AgencyDirectory {
    const parsed = loadJsonFile('AGENCY_KEYS_FILE', file, AgencyKeyFile);
    return new AgencyDirectory(
      KeyDirectory.of(
        { variable: 'AGENCY_KEYS_FILE', file, demoMode: options.demoMode },
        parsed.agencies.map((a) => ({
          id: a.agencyId,
          keySha256: a.keySha256,
          holder: { agencyId: a.agencyId, sector: a.sector, name: a.name },
        })),
      ),
    );
  }

  authenticate(bearerKey: string): Agency | undefined {
    return this.keys.holderOf(bearerKey);
  }

  /** The agency of an `Authorization: Bearer <key>` header. */
  fromHeader(authorization: string | undefined): Agency | undefined {
    return this.keys.fromHeader(authorization);
  }
}

import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MinLength,
  ValidateNested,
} from 'class-validator';
import type { IHeaders } from 'kafkajs';
import { SECTORS, type Sector } from '@cie/contracts';
import { KeyDirectory, SCRYPT_KEY_HASH } from '../auth/key-directory.js';
import { loadJsonFile } from '../config/load-json-file.js';
import { RefusalError } from '../refusals.js';
import { type SignerKeys, signerKeysOf } from '../signing/message-signature.js';

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

  /** The key's salted hash (`npm run keys:hash` prints it): scrypt:<N>:<r>:<p>:<salt>:<hash>. */
  @IsOptional()
  @Matches(SCRYPT_KEY_HASH, { message: 'keyScrypt must be scrypt:<N>:<r>:<p>:<salt base64>:<hash base64>' })
  keyScrypt?: string;

  /** Older files: the unsalted SHA-256 of the key, hex. Still read; move to keyScrypt. */
  @IsOptional()
  @Matches(/^[0-9a-f]{64}$/, { message: 'keySha256 must be 64 lower-case hex characters' })
  keySha256?: string;

  /**
   * Base64 SPKI DER of the agency's Ed25519 public key: its submissions on
   * agency.<sector>.submissions.v1 must be signed with the private half (no key travels there).
   * Without one, the agency submits over HTTP only.
   */
  @IsOptional()
  @IsString()
  @MinLength(40)
  signingPublicKey?: string;
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
  private constructor(
    private readonly keys: KeyDirectory<Agency>,
    private readonly signers: SignerKeys,
    private readonly byId: ReadonlyMap<string, Agency>,
  ) {}

  static fromFile(file: string, options: { demoMode: boolean }): AgencyDirectory {
    const parsed = loadJsonFile('AGENCY_KEYS_FILE', file, AgencyKeyFile);
    const agencies = parsed.agencies.map((a) => ({
      entry: a,
      agency: { agencyId: a.agencyId, sector: a.sector, name: a.name },
    }));
    return new AgencyDirectory(
      KeyDirectory.of(
        { variable: 'AGENCY_KEYS_FILE', file, demoMode: options.demoMode },
        agencies.map(({ entry, agency }) => ({
          id: entry.agencyId,
          ...(entry.keyScrypt !== undefined && { keyScrypt: entry.keyScrypt }),
          ...(entry.keySha256 !== undefined && { keySha256: entry.keySha256 }),
          holder: agency,
        })),
      ),
      signerKeysOf(
        `AGENCY_KEYS_FILE ${file}`,
        agencies.flatMap(({ entry }) =>
          entry.signingPublicKey ? [{ id: entry.agencyId, publicKey: entry.signingPublicKey }] : [],
        ),
        options,
      ),
      new Map(agencies.map(({ agency }) => [agency.agencyId, agency])),
    );
  }

  /**
   * The agency that signed a Kafka submission (its Ed25519 signature over topic, ce_id and payload
   * digest), or a RefusalError: `unsigned`, `unknown_signer`, `bad_signature`. A bearer key in the
   * headers, readable by every reader of the topic, is refused as unsigned.
   */
  signerOf(topic: string, message: { headers?: IHeaders; value: Buffer | null }): Agency {
    if (message.headers?.['authorization'] !== undefined && message.headers['cie_signature'] === undefined)
      throw new RefusalError(
        'unsigned',
        'a bearer key in Kafka headers is readable by every reader of the topic and is not accepted: sign the submission (cie_signer, cie_signature)',
      );
    const agencyId = this.signers.verify(topic, message);
    const agency = this.byId.get(agencyId);
    if (!agency) throw new RefusalError('unknown_signer', `no agency ${agencyId}`);
    return agency;
  }

  authenticate(bearerKey: string): Promise<Agency | undefined> {
    return this.keys.holderOf(bearerKey);
  }

  /** The agency of an `Authorization: Bearer <key>` header. */
  fromHeader(authorization: string | undefined): Promise<Agency | undefined> {
    return this.keys.fromHeader(authorization);
  }
}

import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsOptional, Matches, ValidateNested } from 'class-validator';
import {
  KeyDirectory,
  loadJsonFile,
  RequestErrorCode,
  RequestException,
  SCRYPT_KEY_HASH,
} from '@cie/platform';
import type { Request } from 'express';
import { RegionalPlatformConfig } from '../platform.config.js';

/** Someone allowed to read what one platform holds (its staff, its applications). Keys stored hashed. */
class PlatformClientEntry {
  @Matches(/^[a-z0-9][a-z0-9-]{1,62}$/, {
    message: 'clientId must be lower-case letters, digits and hyphens',
  })
  clientId!: string;

  /** The platform (SUBSCRIBER_ID) whose holdings the key reads; one file can serve several platforms. */
  @Matches(/^[a-z0-9][a-z0-9-]*$/, { message: 'subscriberId must be lower-case letters, digits and hyphens' })
  subscriberId!: string;

  /** The key's salted hash (`npm run keys:hash` prints it): scrypt:<N>:<r>:<p>:<salt>:<hash>. */
  @IsOptional()
  @Matches(SCRYPT_KEY_HASH, { message: 'keyScrypt must be scrypt:<N>:<r>:<p>:<salt base64>:<hash base64>' })
  keyScrypt?: string;

  /** Older files: the unsalted SHA-256 of the key, hex. Still read; move to keyScrypt. */
  @IsOptional()
  @Matches(/^[0-9a-f]{64}$/, { message: 'keySha256 must be 64 lower-case hex characters' })
  keySha256?: string;
}

class PlatformClientFile {
  @ValidateNested({ each: true })
  @Type(() => PlatformClientEntry)
  @ArrayMinSize(1)
  clients!: PlatformClientEntry[];
}

export interface PlatformClient {
  clientId: string;
  subscriberId: string;
}

/** The platform's readers by key hash, from PLATFORM_CLIENTS_FILE; duplicate or (outside DEMO_MODE) demo keys stop it at start. */
export class PlatformClients {
  private constructor(private readonly keys: KeyDirectory<PlatformClient>) {}

  static fromFile(file: string, options: { demoMode: boolean }): PlatformClients {
    const parsed = loadJsonFile('PLATFORM_CLIENTS_FILE', file, PlatformClientFile);
    return new PlatformClients(
      KeyDirectory.of(
        { variable: 'PLATFORM_CLIENTS_FILE', file, demoMode: options.demoMode },
        parsed.clients.map((c) => ({
          id: c.clientId,
          ...(c.keyScrypt !== undefined && { keyScrypt: c.keyScrypt }),
          ...(c.keySha256 !== undefined && { keySha256: c.keySha256 }),
          holder: { clientId: c.clientId, subscriberId: c.subscriberId },
        })),
      ),
    );
  }

  fromHeader(authorization: string | undefined): Promise<PlatformClient | undefined> {
    return this.keys.fromHeader(authorization);
  }
}

/**
 * `Authorization: Bearer <key>` on every records route: 401 without a known key, 403 with the key
 * of another platform's reader (the records hold clear identity numbers of what this platform may see).
 */
@Injectable()
export class PlatformAuthGuard implements CanActivate {
  constructor(
    private readonly clients: PlatformClients,
    @Inject(RegionalPlatformConfig) private readonly config: RegionalPlatformConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const client = await this.clients.fromHeader(request.headers.authorization);
    if (!client)
      throw new RequestException(
        RequestErrorCode.UNAUTHENTICATED,
        'A known client key is required: Authorization: Bearer <key>',
      );
    if (client.subscriberId !== this.config.SUBSCRIBER_ID)
      throw new RequestException(
        RequestErrorCode.FORBIDDEN,
        `Client ${client.clientId} reads ${client.subscriberId}, not ${this.config.SUBSCRIBER_ID}`,
      );
    return true;
  }
}

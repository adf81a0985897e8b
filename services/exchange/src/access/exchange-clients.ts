import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  KeyDirectory,
  loadJsonFile,
  RequestErrorCode,
  RequestException,
  SCRYPT_KEY_HASH,
} from '@cie/platform';
import type { Request } from 'express';

/**
 * operator: runs the exchange; subscriber: a feed's owner acting for itself; subject-desk: the channel
 * that serves data subjects (disputes, repair requests, access reports), e.g. a credit portal's back office;
 * officer: an implementing agency's officer checking subjects at the point of decision (DESIGN §13).
 */
export type ClientRole = 'operator' | 'subscriber' | 'subject-desk' | 'officer';

/** A caller of the exchange's API: an operator, or a subscriber acting for itself. Keys stored hashed. */
class ClientEntry {
  @Matches(/^[a-z0-9][a-z0-9-]{1,62}$/, {
    message: 'clientId must be lower-case letters, digits and hyphens',
  })
  clientId!: string;

  @IsIn(['operator', 'subscriber', 'subject-desk', 'officer'])
  role!: ClientRole;

  /** For subscribers: the subscriber id in the policy they act for. */
  @ValidateIf((c: ClientEntry) => c.role === 'subscriber')
  @IsString()
  @IsOptional()
  subscriberId?: string;

  /** For officers: the implementing agency (or subscriber) they work for, as memoranda name it. */
  @ValidateIf((c: ClientEntry) => c.role === 'officer')
  @Matches(/^[a-z0-9][a-z0-9-]{1,62}$/, { message: 'agencyId is required for an officer: its agency id' })
  agencyId?: string;

  /** The key's salted hash (`npm run keys:hash` prints it): scrypt:<N>:<r>:<p>:<salt>:<hash>. */
  @IsOptional()
  @Matches(SCRYPT_KEY_HASH, { message: 'keyScrypt must be scrypt:<N>:<r>:<p>:<salt base64>:<hash base64>' })
  keyScrypt?: string;

  /** Older files: the unsalted SHA-256 of the key, hex. Still read; move to keyScrypt. */
  @IsOptional()
  @Matches(/^[0-9a-f]{64}$/, { message: 'keySha256 must be 64 lower-case hex characters' })
  keySha256?: string;
}

class ClientFile {
  @ValidateNested({ each: true })
  @Type(() => ClientEntry)
  @ArrayMinSize(1)
  clients!: ClientEntry[];
}

export interface ExchangeClient {
  clientId: string;
  role: ClientRole;
  subscriberId?: string;
  agencyId?: string;
}

/** The API's clients by key hash; duplicate keys, and demo keys outside DEMO_MODE, stop the exchange at start. */
export class ExchangeClients {
  private constructor(private readonly keys: KeyDirectory<ExchangeClient>) {}

  static fromFile(file: string, options: { demoMode: boolean }): ExchangeClients {
    const parsed = loadJsonFile('CLIENTS_FILE', file, ClientFile);
    return new ExchangeClients(
      KeyDirectory.of(
        { variable: 'CLIENTS_FILE', file, demoMode: options.demoMode },
        parsed.clients.map((c) => ({
          id: c.clientId,
          ...(c.keyScrypt !== undefined && { keyScrypt: c.keyScrypt }),
          ...(c.keySha256 !== undefined && { keySha256: c.keySha256 }),
          holder: {
            clientId: c.clientId,
            role: c.role,
            ...(c.subscriberId ? { subscriberId: c.subscriberId } : {}),
            ...(c.agencyId ? { agencyId: c.agencyId } : {}),
          },
        })),
      ),
    );
  }

  /** The client of an `Authorization: Bearer <key>` header. */
  fromHeader(authorization: string | undefined): Promise<ExchangeClient | undefined> {
    return this.keys.fromHeader(authorization);
  }
}

const ROLES = 'cie:roles';
/** Which roles may call a route (the guard answers 401 without a known key, 403 with another role). */
export const Roles = (...roles: ClientRole[]) => SetMetadata(ROLES, roles);

export type ClientRequest = Request & { client?: ExchangeClient };

@Injectable()
export class ClientAuthGuard implements CanActivate {
  constructor(
    private readonly clients: ExchangeClients,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ClientRequest>();
    const client = await this.clients.fromHeader(request.headers.authorization);
    if (!client)
      throw new RequestException(
        RequestErrorCode.UNAUTHENTICATED,
        'A known client key is required: Authorization: Bearer <key>',
      );
    const roles =
      this.reflector.getAllAndOverride<ClientRole[] | undefined>(ROLES, [
        context.getHandler(),
        context.getClass(),
      ]) ?? [];
    if (!roles.includes(client.role))
      throw new RequestException(
        RequestErrorCode.FORBIDDEN,
        `Client ${client.clientId} (${client.role}) may not call this`,
      );
    request.client = client;
    return true;
  }
}

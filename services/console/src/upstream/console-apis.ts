import { Injectable } from '@nestjs/common';
import { ConsoleConfig } from '../console.config.js';
import type { Session } from '../session/session.store.js';
import { type ApiResult, callApi } from './api-client.js';

/** Who calls: the signed-in user's key, and for an agency the sector its key belongs to. */
export type Caller = Pick<Session, 'key'> & Partial<Pick<Session, 'sector'>>;

type Init = { method?: 'GET' | 'POST'; body?: unknown };

/**
 * The APIs the console reads and writes, called with the caller's key: the exchange, and the
 * sector service of the caller's agency. Every page goes through here, so the base URLs and the
 * "an agency page needs an agency key" rule are decided once.
 */
@Injectable()
export class ConsoleApis {
  constructor(private readonly config: ConsoleConfig) {}

  exchange<T>(caller: Caller, path: string, init: Init = {}): Promise<ApiResult<T>> {
    return callApi<T>(this.config.EXCHANGE_URL, path, caller.key, init);
  }

  /** The caller's own sector service; a key that is no agency's gets the 403 the page shows. */
  sector<T>(caller: Caller, path: string, init: Init = {}): Promise<ApiResult<T>> {
    if (!caller.sector)
      return Promise.resolve({
        ok: false,
        problem: {
          status: 403,
          title: 'Forbidden',
          detail: 'Only an agency key has an inbox on a sector service.',
        },
      });
    return callApi<T>(this.config.sectorUrls[caller.sector], path, caller.key, init);
  }
}

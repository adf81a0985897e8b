import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, Matches, Max, Min } from 'class-validator';

const URL_PATTERN = /^https?:\/\/[^/\s]+$/;
const urlMessage = (name: string) => `${name} must be an http(s)://host:port URL without a path`;

/** Environment of the console; see the README's Console section for each variable. */
export class ConsoleConfig {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3020;

  @IsIn(['debug', 'log', 'warn', 'error'])
  LOG_LEVEL: 'debug' | 'log' | 'warn' | 'error' = 'log';

  @IsIn(['json', 'text'])
  LOG_FORMAT: 'json' | 'text' = 'json';

  /** The exchange's API (operators and the subject desk sign in against it). */
  @Matches(URL_PATTERN, { message: urlMessage('EXCHANGE_URL') })
  EXCHANGE_URL = 'http://127.0.0.1:3000';

  /** Each sector service's API (agencies sign in against their own sector's). */
  @Matches(URL_PATTERN, { message: urlMessage('TAX_URL') })
  TAX_URL = 'http://127.0.0.1:3001';

  @Matches(URL_PATTERN, { message: urlMessage('PROCUREMENT_URL') })
  PROCUREMENT_URL = 'http://127.0.0.1:3002';

  @Matches(URL_PATTERN, { message: urlMessage('COURTS_URL') })
  COURTS_URL = 'http://127.0.0.1:3003';

  @Matches(URL_PATTERN, { message: urlMessage('ECOMMERCE_URL') })
  ECOMMERCE_URL = 'http://127.0.0.1:3004';

  /** A session ends this long after its last request; the key it holds is then forgotten. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(24 * 60)
  SESSION_IDLE_MINUTES: number = 30;

  /** `true` behind TLS: the session cookie is then sent over HTTPS only. */
  @Transform(({ obj, key }: { obj: Record<string, unknown>; key: string }) => {
    const value = obj[key];
    if (value === undefined || value === '') return false;
    return value === 'true' ? true : value === 'false' ? false : value;
  })
  @IsBoolean({ message: 'COOKIE_SECURE must be true or false' })
  COOKIE_SECURE: boolean = false;

  /** How often live pages are re-read from the APIs and pushed to the browser when they changed. */
  @Type(() => Number)
  @IsInt()
  @Min(200)
  @Max(60_000)
  REFRESH_INTERVAL_MS: number = 2_000;

  /** How often the exchange's /metrics is sampled for the overview's charts (the last hour is kept). */
  @Type(() => Number)
  @IsInt()
  @Min(500)
  @Max(300_000)
  METRICS_SAMPLE_INTERVAL_MS: number = 5_000;

  get sectorUrls(): Record<Sector, string> {
    return {
      tax: this.TAX_URL,
      procurement: this.PROCUREMENT_URL,
      courts: this.COURTS_URL,
      ecommerce: this.ECOMMERCE_URL,
    };
  }
}

export const SECTORS = ['tax', 'procurement', 'courts', 'ecommerce'] as const;
export type Sector = (typeof SECTORS)[number];

import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsString, Matches, Max, Min } from 'class-validator';
import { CommonConfig, NotDemoFile } from '@cie/platform';

/** Environment of a sector service; see the README for each variable. */
export class SectorConfig extends CommonConfig {
  /** postgres://user:password@host:port/database; the service owns the schema named after its sector. */
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL: string = 'postgres://postgres@127.0.0.1:5432/cie';

  /** JSON file of the agencies allowed to submit, with their key hashes (the demo file needs DEMO_MODE=1). */
  @IsString()
  @IsNotEmpty()
  @NotDemoFile()
  AGENCY_KEYS_FILE: string = 'deploy/local/agency-keys.demo.json';

  /** Requests per agency per minute before 429. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_PER_MINUTE: number = 600;

  /** Records in one JSON array request before 413. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10000)
  MAX_RECORDS_PER_REQUEST: number = 1000;
}

import { IsNotEmpty, IsString } from 'class-validator';
import { CommonConfig } from '@cie/platform';

/** Environment of the courts service; see the README for each variable. */
export class CourtsConfig extends CommonConfig {
  override PORT: number = 3003;

  /** JSON file of the agencies (courts) allowed to submit, with their key hashes. */
  @IsString()
  @IsNotEmpty()
  AGENCY_KEYS_FILE = 'deploy/local/agency-keys.demo.json';
}

import { setLegacyUsccCodes } from '@cie/identifiers';
import { IsArray, IsOptional, IsString, Matches } from 'class-validator';
import { loadJsonFile } from './load-json-file.js';

class LegacyUsccFile {
  @IsOptional()
  @IsString()
  comment?: string;

  @IsArray()
  @Matches(/^[0-9A-Za-z -]{18,24}$/, { each: true, message: 'each code must be an 18-character USCC' })
  codes!: string[];
}

/**
 * Allows the early pilot USCCs listed in LEGACY_USCC_FILE ({"codes": [...]}) that fail the check
 * character (DESIGN §5). Every service that checks identifiers calls it when it builds its module,
 * so the sector services and the exchange accept the same codes. Returns how many were listed.
 */
export function applyLegacyUsccAllowList(config: { LEGACY_USCC_FILE?: string }): number {
  const codes = config.LEGACY_USCC_FILE
    ? loadJsonFile('LEGACY_USCC_FILE', config.LEGACY_USCC_FILE, LegacyUsccFile).codes
    : [];
  setLegacyUsccCodes(codes);
  return codes.length;
}

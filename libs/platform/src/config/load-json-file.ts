import { readFileSync } from 'node:fs';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync } from 'class-validator';
import { toFieldProblems } from '../http/validation.js';
import { ConfigurationError } from './load-config.js';

/**
 * Reads a JSON configuration file into a validated class (unknown fields refused). Every problem
 * names the variable that pointed at the file, the file and the path inside it, e.g.
 * `SUBSCRIBERS_FILE deploy/x.json: subscribers[2].regions must be …`.
 */
export function loadJsonFile<T extends object>(variable: string, file: string, type: ClassConstructor<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigurationError([`${variable} ${file}: ${(error as Error).message}`]);
  }
  const parsed = plainToInstance(type, raw);
  const problems = toFieldProblems(
    validateSync(parsed, { forbidUnknownValues: true, whitelist: true, forbidNonWhitelisted: true }),
  );
  if (problems.length > 0)
    throw new ConfigurationError(problems.map((p) => `${variable} ${file}: ${p.field} ${p.detail}`));
  return parsed;
}

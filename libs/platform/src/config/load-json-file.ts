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
  return validateJson(`${variable} ${file}`, readJsonFile(variable, file), type);
}

/** The parsed JSON of a configuration file; a problem names the variable and the file. */
export function readJsonFile(variable: string, file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigurationError([`${variable} ${file}: ${(error as Error).message}`]);
  }
}

/**
 * Validates parsed JSON into a class (unknown fields refused), e.g. a configuration file or a draft
 * sent to an API; every problem starts with `label` and names the path inside the document.
 */
export function validateJson<T extends object>(label: string, raw: unknown, type: ClassConstructor<T>): T {
  const parsed = plainToInstance(type, raw);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ConfigurationError([`${label}: must be a JSON object`]);
  const problems = toFieldProblems(
    validateSync(parsed, { forbidUnknownValues: true, whitelist: true, forbidNonWhitelisted: true }),
  );
  if (problems.length > 0)
    throw new ConfigurationError(problems.map((p) => `${label}: ${p.field} ${p.detail}`));
  return parsed;
}

import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

/** Raised at start when the environment does not satisfy a service's configuration class. */
export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

/**
 * Builds and validates a configuration class from environment variables. Property names are the
 * variable names, so every message names the variable to fix.
 */
export function loadConfig<T extends object>(
  type: ClassConstructor<T>,
  env: Record<string, string | undefined>,
): T {
  const config = plainToInstance(type, env, { enableImplicitConversion: true, exposeDefaultValues: true });
  const errors = validateSync(config, { whitelist: false, forbidUnknownValues: true });
  if (errors.length > 0) throw new ConfigurationError(errors.flatMap((e) => describe(e)));
  return config;
}

function describe(error: ValidationError): string[] {
  const own = Object.values(error.constraints ?? {}).map((message) => `${error.property}: ${message}`);
  return [...own, ...(error.children ?? []).flatMap((child) => describe(child))];
}

import fs from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { packageDir } from './support.js';

// The compose-spec schema (compose-spec/compose-spec, schema/compose-spec.json) as dclint ships it.
const schema = JSON.parse(
  fs.readFileSync(path.join(packageDir('dclint'), 'schemas', 'compose.schema.json'), 'utf8'),
) as object;

// Union types and non-strict keywords, as dclint compiles it. The schema names its draft-07 meta-schema
// by an https id that Ajv knows under http, so the schema itself is checked against the same meta-schema.
const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
const draft07 = JSON.parse(
  fs.readFileSync(path.join(packageDir('ajv'), 'dist', 'refs', 'json-schema-draft-07.json'), 'utf8'),
) as Record<string, unknown>;
ajv.addMetaSchema({ ...draft07, $id: 'https://json-schema.org/draft-07/schema' });
const validate = ajv.compile(schema);

/** Validates a parsed Compose document against the compose-spec schema; throws every error found. */
export function validateCompose(doc: unknown): void {
  if (!validate(doc)) throw new Error(describe(validate.errors ?? []));
}

function describe(errors: ErrorObject[]): string {
  return errors
    .map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`)
    .join('\n');
}

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string | number> };
  environment?: Record<string, string | number | boolean | null>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  read_only?: boolean;
  cap_drop?: string[];
  command?: string[];
}

export interface ComposeFile {
  name: string;
  services: Record<string, ComposeService>;
}

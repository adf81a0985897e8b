import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
// class-transformer keeps @Type metadata in this module-level store; the schema builder needs it to follow nested DTOs.
import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';

/** The pieces of the services' hand-written OpenAPI 3.1 documents. */
export type OpenApiSchema = Record<string, unknown>;

export const schemaRef = (name: string): OpenApiSchema => ({ $ref: `#/components/schemas/${name}` });

export const jsonContent = (
  schema: OpenApiSchema,
  examples?: Record<string, { summary: string; value: unknown }>,
): OpenApiSchema => ({ 'application/json': { schema, ...(examples ? { examples } : {}) } });

/** An RFC 9457 error response. */
export const problemResponse = (description: string): OpenApiSchema => ({
  description,
  content: { 'application/problem+json': { schema: schemaRef('Problem') } },
});

export const pathParam = (name: string, schema: OpenApiSchema = { type: 'string' }): OpenApiSchema => ({
  name,
  in: 'path',
  required: true,
  schema,
});

export const queryParam = (name: string, description: string, required = false): OpenApiSchema => ({
  name,
  in: 'query',
  required,
  description,
  schema: { type: 'string' },
});

/** Problem and FieldProblem, as every service's problem filter writes them. */
export const PROBLEM_SCHEMAS: Record<string, OpenApiSchema> = {
  FieldProblem: {
    type: 'object',
    required: ['field', 'detail'],
    properties: { field: { type: 'string' }, detail: { type: 'string' } },
  },
  Problem: {
    type: 'object',
    description: 'RFC 9457 problem details',
    required: ['type', 'title', 'status'],
    properties: {
      type: { type: 'string' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      instance: { type: 'string' },
      code: { type: 'string' },
      errors: { type: 'array', items: schemaRef('FieldProblem') },
    },
  },
};

/**
 * JSON Schemas of these class-validator DTOs and of the DTOs they nest, keyed by class name: built
 * from the rules that validate the requests, so the documented fields and the enforced ones agree.
 */
export function dtoSchemas(
  dtos: readonly (abstract new (...args: never[]) => unknown)[],
): Record<string, OpenApiSchema> {
  const all = validationMetadatasToSchemas({
    classTransformerMetadataStorage: defaultMetadataStorage as never,
    refPointerPrefix: '#/components/schemas/',
  }) as Record<string, OpenApiSchema>;
  const names = new Set<string>();
  const collect = (name: string) => {
    if (names.has(name)) return;
    names.add(name);
    for (const [, target] of JSON.stringify(all[name] ?? {}).matchAll(/#\/components\/schemas\/(\w+)/g))
      if (target) collect(target);
  };
  dtos.forEach((dto) => collect(dto.name));
  return Object.fromEntries([...names].filter((n) => all[n]).map((n) => [n, all[n]!]));
}

import { type DescEnum, type DescField, type DescMessage, ScalarType } from '@bufbuild/protobuf';

export type JsonSchema = Record<string, unknown>;

/** Where the schema of a protobuf message lives in the AsyncAPI document. */
export const schemaRef = (typeName: string): JsonSchema => ({ $ref: `#/components/schemas/${typeName}` });

/** Well-known types with a JSON mapping of their own (proto3 JSON mapping). */
const WELL_KNOWN: Record<string, JsonSchema> = {
  'google.protobuf.Timestamp': { type: 'string', format: 'date-time' },
  'google.protobuf.Duration': { type: 'string', pattern: '^-?[0-9]+(\\.[0-9]+)?s$' },
};

/** The proto3 JSON mapping of a scalar: 64-bit integers travel as strings, bytes as base64. */
function scalarSchema(type: ScalarType): JsonSchema {
  switch (type) {
    case ScalarType.STRING:
      return { type: 'string' };
    case ScalarType.BOOL:
      return { type: 'boolean' };
    case ScalarType.BYTES:
      return { type: 'string', contentEncoding: 'base64' };
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return { type: 'number' };
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return { type: 'integer', format: 'int32' };
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return { type: 'integer', minimum: 0, format: 'uint32' };
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return { type: 'string', pattern: '^-?[0-9]+$', format: 'int64' };
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return { type: 'string', pattern: '^[0-9]+$', format: 'uint64' };
  }
}

const enumSchema = (desc: DescEnum): JsonSchema => ({
  type: 'string',
  title: desc.typeName,
  enum: desc.values.map((v) => v.name),
});

/**
 * JSON Schemas (proto3 JSON mapping) of the given messages and of every message they reach, keyed
 * by fully qualified type name: derived from the generated descriptors, so they follow `proto/`.
 */
export function messageJsonSchemas(roots: readonly DescMessage[]): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  const messageSchema = (desc: DescMessage): JsonSchema => {
    const known = WELL_KNOWN[desc.typeName];
    if (known) return known;
    visit(desc);
    return schemaRef(desc.typeName);
  };
  const valueSchema = (field: DescField): JsonSchema => {
    switch (field.fieldKind) {
      case 'scalar':
        return scalarSchema(field.scalar);
      case 'enum':
        return enumSchema(field.enum);
      case 'message':
        return messageSchema(field.message);
      case 'list':
        return { type: 'array', items: elementSchema(field) };
      case 'map':
        return { type: 'object', additionalProperties: elementSchema(field) };
    }
  };
  /** The schema of a list's items or a map's values: exactly one of scalar, enum and message is set. */
  const elementSchema = (element: {
    scalar: ScalarType | undefined;
    enum: DescEnum | undefined;
    message: DescMessage | undefined;
  }): JsonSchema =>
    element.message
      ? messageSchema(element.message)
      : element.enum
        ? enumSchema(element.enum)
        : scalarSchema(element.scalar ?? ScalarType.STRING);
  function visit(desc: DescMessage): void {
    if (out[desc.typeName]) return;
    const properties: Record<string, JsonSchema> = {};
    out[desc.typeName] = {
      type: 'object',
      title: desc.typeName,
      // proto3: every field may be absent (its default), none may be unknown to the schema.
      additionalProperties: false,
      properties,
    };
    for (const field of desc.fields) properties[field.jsonName] = valueSchema(field);
  }
  roots.forEach((root) => visit(root));
  return out;
}

import { z } from 'zod';

/**
 * A zod schema as the JSON Schema (draft-07) that OpenAPI 3.0 and AsyncAPI 3.0 documents embed. `io` picks the side
 * of a transform: what a client sends (`input`) or what the server answers (`output`). The `$schema` key is dropped:
 * inside those documents the dialect is the document's own.
 */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io, unrepresentable: 'any' });
  return rest;
}

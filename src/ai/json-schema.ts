// The JSON schema a model is shown for a zod schema: what the model must write (the schema's
// input side), with descriptions kept and the root inlined (providers want `type: object` at the
// top, not a `$ref`). Computed once per schema.
import type { JSONSchema7 } from '@ai-sdk/provider';
import { z } from 'zod';

const cache = new WeakMap<z.ZodType, JSONSchema7>();

export function jsonSchemaOf(schema: z.ZodType): JSONSchema7 {
  const cached = cache.get(schema);
  if (cached) return cached;
  const generated = z.toJSONSchema(schema, {
    io: 'input',
    target: 'draft-7',
    unrepresentable: 'any',
  }) as JSONSchema7;
  let result = generated;
  const reference = generated.$ref;
  if (reference?.startsWith('#/definitions/')) {
    const definitions = generated.definitions ?? {};
    const root = definitions[reference.slice('#/definitions/'.length)];
    if (root && typeof root === 'object') {
      result = { $schema: generated.$schema, ...root, definitions };
    }
  }
  cache.set(schema, result);
  return result;
}

/** A name providers accept for a structured output (letters, digits, `_` and `-`). */
export function schemaNameOf(task: string): string {
  return task.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64) || 'result';
}

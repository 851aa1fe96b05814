// How responses are written: fast-json-stringify, compiled from the JSON Schema of each route's
// zod response schema, instead of passing every response through zod and then JSON.stringify
// (fastify-type-provider-zod's serializer). The zod pass validated and copied each object; on a
// 20-row page that was most of the serialising time. Compiling happens on a schema's first use,
// so start-up does not pay for routes nobody calls.
//
// `verify` (on under NODE_ENV=test) writes every response both ways and fails the request when
// the bytes differ, and still validates through zod: every test of the suite also checks that
// the wire format did not change.
import fastJsonStringify from 'fast-json-stringify';
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

type Serialize = (data: unknown) => string;
type SerializerCompiler = Parameters<typeof zodSerializerCompiler>[0];

/** The JSON Schema fast-json-stringify works from: the response's output shape, nothing else. */
export function responseJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, {
    io: 'output',
    // A schema with no JSON form (z.undefined() of a 204) is written as any value.
    unrepresentable: 'any',
    // An empty registry: no ids to extract into $defs, no descriptions or examples to carry.
    metadata: z.registry<Record<string, unknown>>(),
    target: 'draft-7',
  });
}

/** A serializer per schema object, shared by every route and status that reuses it. */
const compiled = new WeakMap<z.ZodType, Serialize>();

function fastSerializer(schema: z.ZodType): Serialize {
  let serialize = compiled.get(schema);
  if (!serialize) {
    serialize = fastJsonStringify(responseJsonSchema(schema)) as Serialize;
    compiled.set(schema, serialize);
  }
  return serialize;
}

export class WireFormatChanged extends Error {
  constructor(route: string, expected: string, written: string) {
    super(
      `${route}: the fast serializer wrote ${written.slice(0, 300)} where zod wrote ${expected.slice(0, 300)}`,
    );
  }
}

export function createSerializerCompiler(options: { verify: boolean }) {
  return (route: SerializerCompiler): Serialize => {
    // fastify-type-provider-zod also accepts `{ properties: schema }`.
    const declared = route.schema as z.ZodType | { properties: z.ZodType };
    const schema = declared instanceof z.ZodType ? declared : declared.properties;
    let serialize: Serialize | undefined;
    const fast = (data: unknown) => (serialize ??= fastSerializer(schema))(data);
    if (!options.verify) return fast;
    const reference = zodSerializerCompiler(route) as Serialize;
    return (data) => {
      const expected = reference(data);
      const written = fast(data);
      if (written !== expected) {
        throw new WireFormatChanged(`${route.method} ${route.url}`, expected, written);
      }
      return written;
    };
  };
}

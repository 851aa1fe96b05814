// Fills any JSON schema with plain, valid values built from the business profile: the builtin
// provider's answer for tasks that have no hand-written template yet. Deterministic: the same
// schema and business give the same value.
import type { JSONSchema7, JSONSchema7Definition } from '@ai-sdk/provider';

import type { BusinessProfile } from '../types.ts';

function clip(text: string, min: number | undefined, max: number | undefined): string {
  let value = text;
  while (min !== undefined && value.length < min) value = `${value} ${text}`.trim() || 'n/a';
  return max !== undefined && value.length > max ? value.slice(0, max).trimEnd() : value;
}

function textFor(key: string, index: number, business: BusinessProfile): string {
  const name = business.name || 'Our business';
  const product = business.products[index % Math.max(1, business.products.length)]?.name;
  const audience = business.audience || 'our customers';
  const suffix = index > 0 ? ` (${index + 1})` : '';
  if (/name|title|headline|subject|label/i.test(key))
    return `${name}${product ? ` — ${product}` : ''}${suffix}`;
  if (/tone|voice/i.test(key)) return business.brandVoice.tone || 'warm, plain and specific';
  if (/url|link/i.test(key)) return 'https://example.com';
  if (/cta|call.?to.?action/i.test(key)) return `Visit ${name} today${suffix}`;
  return `${name} for ${audience}${product ? `: ${product}` : ''}${suffix}.`;
}

function stringFor(schema: JSONSchema7, key: string, index: number, business: BusinessProfile) {
  switch (schema.format) {
    case 'email':
      return 'hello@example.com';
    case 'uri':
    case 'url':
      return 'https://example.com';
    case 'date-time':
      return '2026-01-05T09:00:00.000Z';
    case 'date':
      return '2026-01-05';
    case 'uuid':
      return `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
    default:
      return clip(textFor(key, index, business), schema.minLength, schema.maxLength);
  }
}

function numberFor(schema: JSONSchema7): number {
  const min =
    schema.minimum ??
    (typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 1 : undefined);
  const max =
    schema.maximum ??
    (typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum - 1 : undefined);
  const value = min ?? (max !== undefined ? Math.min(0, max) : 0);
  return schema.type === 'integer' ? Math.ceil(value) : value;
}

export function synthesize(
  root: JSONSchema7,
  business: BusinessProfile,
  node: JSONSchema7Definition = root,
  key = 'value',
  index = 0,
): unknown {
  if (typeof node === 'boolean') return null;
  if (node.$ref) {
    const name = node.$ref.split('/').at(-1) ?? '';
    const definitions = (root as { $defs?: Record<string, JSONSchema7Definition> }).$defs;
    const target = definitions?.[name] ?? root.definitions?.[name];
    return target ? synthesize(root, business, target, key, index) : null;
  }
  if (node.const !== undefined) return node.const;
  if (node.enum && node.enum.length > 0) return node.enum[0];
  const options = node.anyOf ?? node.oneOf;
  if (options && options.length > 0) {
    const chosen = options.find((option) => typeof option !== 'boolean' && option.type !== 'null');
    return synthesize(root, business, chosen ?? options[0] ?? {}, key, index);
  }
  if (node.allOf?.[0] !== undefined) return synthesize(root, business, node.allOf[0], key, index);
  const type = Array.isArray(node.type) ? node.type.find((t) => t !== 'null') : node.type;
  switch (type) {
    case 'object':
      return Object.fromEntries(
        Object.entries(node.properties ?? {}).map(([name, property]) => [
          name,
          synthesize(root, business, property, name, index),
        ]),
      );
    case 'array': {
      const count = Math.max(node.minItems ?? 1, Math.min(3, node.maxItems ?? 3));
      const items = Array.isArray(node.items) ? node.items[0] : node.items;
      return Array.from({ length: count }, (_, i) =>
        synthesize(root, business, items ?? {}, key, i),
      );
    }
    case 'string':
      return stringFor(node, key, index, business);
    case 'number':
    case 'integer':
      return numberFor(node);
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return stringFor(node, key, index, business);
  }
}

// Whether a customer event matches a sequence's trigger, exit event or wait: its name, and its
// properties against the filter (equality per property, or a list of comparisons). A property
// may be a dotted path ("cart.id"). Comparisons of a missing property are false, except `neq`.
import type {
  EventMatch,
  PropertyCondition,
  PropertyFilter,
} from '../../platform/db/schema/sequences.ts';

export function propertyAt(properties: Record<string, unknown>, path: string): unknown {
  if (path in properties) return properties[path];
  let value: unknown = properties;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

export function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // "42" from one source and 42 from another are the same value to a marketer.
  if (
    (typeof a === 'number' || typeof a === 'string') &&
    (typeof b === 'number' || typeof b === 'string')
  )
    return String(a) === String(b);
  return false;
}

function holds(properties: Record<string, unknown>, condition: PropertyCondition): boolean {
  const actual = propertyAt(properties, condition.property);
  const expected = condition.value;
  switch (condition.op) {
    case 'exists':
      return actual !== undefined && actual !== null;
    case 'eq':
      return same(actual, expected);
    case 'neq':
      return !same(actual, expected);
    case 'contains':
      if (Array.isArray(actual)) return actual.some((item) => same(item, expected));
      return typeof actual === 'string' && actual.includes(String(expected));
    default: {
      const a = Number(actual);
      const b = Number(expected);
      if (actual === null || actual === undefined || Number.isNaN(a) || Number.isNaN(b))
        return false;
      if (condition.op === 'gt') return a > b;
      if (condition.op === 'gte') return a >= b;
      if (condition.op === 'lt') return a < b;
      return a <= b;
    }
  }
}

export function matchesFilter(
  properties: Record<string, unknown>,
  where: PropertyFilter | undefined | null,
): boolean {
  if (!where) return true;
  if (Array.isArray(where)) return where.every((condition) => holds(properties, condition));
  return Object.entries(where).every(([property, value]) =>
    holds(properties, { property, op: 'eq', value }),
  );
}

export function matchesEvent(
  match: EventMatch | null | undefined,
  event: { event: string | null; properties: Record<string, unknown> },
): boolean {
  return (
    !!match &&
    event.event !== null &&
    match.event === event.event &&
    matchesFilter(event.properties, match.where)
  );
}

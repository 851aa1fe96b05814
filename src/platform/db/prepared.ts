// Named prepared statements for the hot reads. A statement is built by drizzle once (on first
// use, so a repository made inside a transaction and never asked costs nothing) and runs under
// its name: node-postgres parses it once per connection and Postgres plans it once, instead of
// both doing that work on every request. On PGlite the name is ignored and the SQL is reused.
import { eq, type SQL, sql } from 'drizzle-orm';
import type { PgColumn, PgSelect } from 'drizzle-orm/pg-core';

import type { PageRequest } from '../http/pagination.ts';
import { type KeysetColumns, keysetPageStatement } from './pagination.ts';

/** `make()` on the first call, the same value on every later one. */
export function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

/** `make(key)` on the first call with each key, the same value on every later one. */
export function perKey<Key extends string, T>(make: (key: Key) => T): (key: Key) => T {
  const made = new Map<Key, T>();
  return (key) => {
    let value = made.get(key);
    if (value === undefined) {
      value = make(key);
      made.set(key, value);
    }
    return value;
  };
}

/** The values for `keysetPageStatement`: one row more than the page, so the caller sees if more follow. */
export function pageValues(page: PageRequest): Record<string, unknown> {
  return page.after
    ? { limit: page.limit + 1, afterAt: page.after.createdAt.toISOString(), afterId: page.after.id }
    : { limit: page.limit + 1 };
}

/**
 * A list read as prepared keyset statements (pagination.ts): `scope` always applies (written with
 * placeholders, e.g. `eq(t.businessId, sql.placeholder('businessId'))`), and each `optional`
 * column must equal its filter when that filter has a value. One statement per combination asked
 * for (cursor or not, which filters), named `${name}_…` and built on first use. Only for filters
 * whose selectivity does not change the best plan: a pattern search is planned per value.
 */
export function preparedKeysetList<Query extends PgSelect>(
  name: string,
  select: () => Query,
  table: KeysetColumns,
  scope: SQL,
  optional: Record<string, PgColumn> = {},
): (
  values: Record<string, unknown>,
  filters: Record<string, string | undefined>,
  page: PageRequest,
) => Promise<Query['_']['result']> {
  const names = Object.keys(optional);
  const statement = perKey((key: string) => {
    const [cursor, ...present] = key.split(':');
    const conditions = present.map((filter) =>
      eq(optional[filter] as PgColumn, sql.placeholder(filter)),
    );
    return keysetPageStatement(select(), table, cursor === 'after', scope, ...conditions).prepare(
      `${name}_${key.replaceAll(':', '_')}`,
    );
  });
  return async (values, filters, page) => {
    const present = names.filter((filter) => filters[filter] !== undefined);
    const key = [page.after ? 'after' : 'first', ...present].join(':');
    const filterValues = Object.fromEntries(present.map((filter) => [filter, filters[filter]]));
    return await statement(key).execute({
      ...values,
      ...filterValues,
      ...pageValues(page),
    });
  };
}

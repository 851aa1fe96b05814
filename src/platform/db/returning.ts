// The row a single-row INSERT … RETURNING (or upsert) wrote. drizzle types the result as an
// array, so without this every repository would check for a row Postgres always returns.

/** The one row a write returned; throws if it returned none. */
export function returnedRow<Row>(rows: Row[], statement: 'insert' | 'upsert' = 'insert'): Row {
  const [row] = rows;
  if (!row) throw new Error(`${statement} returned no row`);
  return row;
}

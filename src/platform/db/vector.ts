// Similarity search over stored embeddings (agent_learnings, knowledge_chunks): the rows of one
// business made by one embedder, ranked by cosine similarity to a query vector. Where pgvector is
// installed, migrate.ts keeps a generated `embedding_vector vector(256)` column with an HNSW
// index beside the real[] column, and the search walks that index; elsewhere (a PostgreSQL server
// without the extension, or vectors of another length) it is an exact scan in SQL. Both give
// the same ranking up to float rounding; test/knowledge/recall.test.ts checks they agree.
import { sql } from 'drizzle-orm';

import type { DatabaseHandle } from './client.ts';
import { rowsOf } from './raw-sql.ts';

export type EmbeddingTable = 'agent_learnings' | 'knowledge_chunks';
export const EMBEDDING_TABLES: readonly EmbeddingTable[] = ['agent_learnings', 'knowledge_chunks'];

/** The length of the indexed vector column; vectors of other lengths are scanned exactly. */
export const INDEXED_DIMENSIONS = 256;

export interface NearestQuery {
  table: EmbeddingTable;
  businessId: string;
  /** The embedder's id: only rows it made are compared (see ai/embeddings.ts). */
  model: string;
  vector: number[];
  limit: number;
  /** Scan every row exactly even where the index exists (tests compare both paths). */
  exact?: boolean;
}

export interface Neighbour {
  id: string;
  /** Cosine similarity, from -1 to 1. */
  score: number;
}

/**
 * The idempotent DDL of the vector column and its index on one table: `embedding_vector` is the
 * real[] as a vector(256), or NULL when the array has another length (HNSW skips NULLs).
 */
export function vectorColumnStatements(table: EmbeddingTable): string[] {
  return [
    `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS embedding_vector vector(${INDEXED_DIMENSIONS}) ` +
      `GENERATED ALWAYS AS (CASE WHEN cardinality(embedding) = ${INDEXED_DIMENSIONS} ` +
      `THEN embedding::vector(${INDEXED_DIMENSIONS}) END) STORED`,
    `CREATE INDEX IF NOT EXISTS ${table}_embedding_hnsw_idx ON ${table} ` +
      'USING hnsw (embedding_vector vector_cosine_ops)',
  ];
}

const indexedTables = new WeakMap<DatabaseHandle, Promise<Set<string>>>();

/** Which tables have the vector column on this database (asked once per handle). */
function tablesWithVectorColumn(database: DatabaseHandle): Promise<Set<string>> {
  let known = indexedTables.get(database);
  if (!known) {
    known = database
      .query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.columns
          WHERE table_schema = current_schema() AND column_name = 'embedding_vector'`,
      )
      .then((rows) => new Set(rows.map((row) => row.table_name)));
    indexedTables.set(database, known);
  }
  return known;
}

/** A number as an SQL float8 literal (only finite numbers reach SQL text). */
function float8(value: number): string {
  if (!Number.isFinite(value)) throw new Error('an embedding holds a non-finite number');
  return `${value}::float8`;
}

export async function nearest(database: DatabaseHandle, query: NearestQuery): Promise<Neighbour[]> {
  const { table, businessId, model, vector } = query;
  if (!EMBEDDING_TABLES.includes(table)) throw new Error(`not an embedding table: ${table}`);
  const limit = Math.max(1, Math.min(200, Math.floor(query.limit)));
  const norm = Math.hypot(...vector);
  // A vector without direction (a query of stopwords only) is similar to nothing.
  if (vector.length === 0 || norm === 0) return [];
  const indexed =
    !query.exact &&
    database.vectorEnabled &&
    vector.length === INDEXED_DIMENSIONS &&
    (await tablesWithVectorColumn(database)).has(table);
  if (indexed) {
    const quick = await nearestInOneQuery(database, query, limit);
    if (quick) return quick;
  }
  return database.db.transaction(async (tx) => {
    if (indexed) {
      // pgvector 0.8's iterative scan keeps walking the graph until `limit` rows pass the
      // business and model filter, instead of returning fewer when other tenants' rows crowd
      // the first candidates; strict order keeps the answer sorted. Both are set in one round
      // trip (SET LOCAL takes one each).
      await tx.execute(
        sql`SELECT set_config('hnsw.iterative_scan', 'strict_order', true),
                   set_config('hnsw.ef_search', ${String(Math.max(40, limit * 2))}, true)`,
      );
      const literal = `[${vector.map((value) => String(Math.fround(value))).join(',')}]`;
      const result = await tx.execute(sql`
        SELECT id, 1 - (embedding_vector <=> ${literal}::vector(256)) AS score
          FROM ${sql.identifier(table)}
         WHERE business_id = ${businessId} AND embedding_model = ${model}
           AND embedding_vector IS NOT NULL
         ORDER BY embedding_vector <=> ${literal}::vector(256)
         LIMIT ${limit}`);
      // A stored zero vector has no angle to anything (NaN, sorted last): not a neighbour.
      return rowsOf<{ id: string; score: number | string }>(result)
        .map(toNeighbour)
        .filter((row) => !Number.isNaN(row.score));
    }
    // The exact scan: one multiply-add per element written out, the query's numbers as
    // constants. Subscripting the stored array directly is cheaper than unnest() or a
    // float8[] cast per row (measured in the knowledge-base work: ~3 s at 100,000 rows of 256
    // on a PostgreSQL 15 server vs ~4 s for unnest). JIT would compile the long expression for
    // longer than it saves.
    await tx.execute(sql.raw('SET LOCAL jit = off'));
    const dot = vector
      .map((value, index) => `embedding[${index + 1}] * ${float8(value / norm)}`)
      .join(' + ');
    const squares = vector
      .map((_, index) => `embedding[${index + 1}] * embedding[${index + 1}]`)
      .join(' + ');
    const result = await tx.execute(sql`
      SELECT id, score FROM (
        SELECT id, (${sql.raw(dot)}) / NULLIF(sqrt(${sql.raw(squares)}), 0) AS score
          FROM ${sql.identifier(table)}
         WHERE business_id = ${businessId} AND embedding_model = ${model}
           AND cardinality(embedding) = ${vector.length}
      ) AS scored
       WHERE score IS NOT NULL
       ORDER BY score DESC
       LIMIT ${limit}`);
    return rowsOf<{ id: string; score: number | string }>(result).map(toNeighbour);
  });
}

/**
 * The HNSW search in one round trip where the connection already walks the index as the
 * transaction below sets it (migrate.ts makes it the database's default): answers undefined,
 * and the caller takes the longer way, when this connection does not.
 */
async function nearestInOneQuery(
  database: DatabaseHandle,
  query: NearestQuery,
  limit: number,
): Promise<Neighbour[] | undefined> {
  const literal = `[${query.vector.map((value) => String(Math.fround(value))).join(',')}]`;
  const result = await database.db.execute(sql`
    WITH settings AS (
      SELECT current_setting('hnsw.iterative_scan', true) AS scan,
             current_setting('hnsw.ef_search', true) AS ef_search
    )
    SELECT settings.scan, settings.ef_search, hits.id, hits.score
      FROM settings LEFT JOIN LATERAL (
        SELECT id, 1 - (embedding_vector <=> ${literal}::vector(256)) AS score
          FROM ${sql.identifier(query.table)}
         WHERE business_id = ${query.businessId} AND embedding_model = ${query.model}
           AND embedding_vector IS NOT NULL
         ORDER BY embedding_vector <=> ${literal}::vector(256)
         LIMIT ${limit}
      ) AS hits ON true`);
  const rows = rowsOf<{
    scan: string | null;
    ef_search: string | null;
    id: string | null;
    score: number | string | null;
  }>(result);
  const first = rows[0];
  if (first?.scan !== 'strict_order' || Number(first.ef_search) < Math.max(40, limit * 2)) {
    return undefined;
  }
  return rows
    .flatMap((row) =>
      row.id === null || row.score === null ? [] : [{ id: row.id, score: Number(row.score) }],
    )
    .filter((row) => !Number.isNaN(row.score));
}

function toNeighbour(row: { id: string; score: number | string }): Neighbour {
  return { id: row.id, score: Number(row.score) };
}

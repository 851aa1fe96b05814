// COPY's binary format as Herald writes and reads it (platform/db/copy.ts), against the database
// the suite runs on (PGlite, or the PostgreSQL server in CI): what goes in comes back exactly,
// nulls, negative numbers, non-ASCII text and all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BinaryCopyReader, BinaryCopyWriter, bulkTransaction } from '../../src/platform/db/copy.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';

describe("COPY's binary format", () => {
  let ctx: TestApp;
  beforeAll(async () => {
    ctx = await buildTestApp();
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('round-trips uuid, int2, int4, float8 and text values, nulls included, in chunks', async () => {
    const rows = Array.from({ length: 20_000 }, (_, index) => ({
      id: crypto.randomUUID(),
      small: (index % 200) - 100,
      count: index * 1000 - 5_000_000,
      value: index % 7 === 0 ? null : index / 3 - 17.25,
      label: index % 5 === 0 ? null : `Zürich № ${index} 🎉`,
    }));
    function* chunks(): Generator<Buffer> {
      const writer = new BinaryCopyWriter();
      for (const [index, row] of rows.entries()) {
        writer
          .row(5)
          .uuid(row.id)
          .int2(row.small)
          .int4(row.count)
          .float8(row.value)
          .text(row.label);
        if (index % 3000 === 2999) yield writer.take();
      }
      yield writer.take(true);
    }
    const { bytes, texts } = await bulkTransaction(ctx.runtime.database, async (session) => {
      await session.query(
        `CREATE TEMP TABLE copied (id uuid, small int2, count int4, value float8, label text)
         ON COMMIT DROP`,
        [],
      );
      await session.copy('copied', 'id, small, count, value, label', chunks(), { binary: true });
      return {
        bytes: await session.copyOut(
          `SELECT id, count, coalesce(value, 'NaN'::float8) FROM copied ORDER BY count`,
        ),
        texts: await session.query<{ small: number; label: string | null }>(
          'SELECT small, label FROM copied ORDER BY count',
          [],
        ),
      };
    });
    const reader = new BinaryCopyReader(bytes);
    const read: { id: string; count: number; value: number }[] = [];
    while (reader.nextRow()) {
      read.push({ id: reader.uuid(), count: reader.int4(), value: reader.float8() });
    }
    expect(read).toHaveLength(rows.length);
    for (const [index, row] of rows.entries()) {
      expect(read[index]).toEqual({ id: row.id, count: row.count, value: row.value ?? Number.NaN });
      expect(texts[index]).toEqual({ small: row.small, label: row.label });
    }
  });
});

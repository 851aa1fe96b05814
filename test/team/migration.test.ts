// An install from before teams upgrades without anyone losing access: migration 0008 makes every
// business's owner its owner member and the first registered user the instance administrator.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createBusinessAccess } from '../../src/modules/businesses/access.ts';
import { MemoryCache } from '../../src/platform/cache.ts';
import { type DatabaseHandle, openDatabase } from '../../src/platform/db/client.ts';
import { migrateDatabase, MIGRATIONS_FOLDER } from '../../src/platform/db/migrate.ts';

interface Journal {
  entries: { tag: string }[];
}

/** The migrations folder as it was before `tag`: a copy whose journal stops there. */
function migrationsBefore(tag: string): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'herald-migrations-'));
  cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = path.join(folder, 'meta/_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as Journal;
  const index = journal.entries.findIndex((entry) => entry.tag === tag);
  if (index < 0) throw new Error(`no migration ${tag}`);
  writeFileSync(
    journalPath,
    JSON.stringify({ ...journal, entries: journal.entries.slice(0, index) }),
  );
  return folder;
}

describe('migrating a single-user install to teams', () => {
  let handle: DatabaseHandle;

  beforeAll(async () => {
    handle = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
    const client = handle.pglite;
    if (!client) throw new Error('expected PGlite');
    const [{ drizzle }, { migrate }] = await Promise.all([
      import('drizzle-orm/pglite'),
      import('drizzle-orm/pglite/migrator'),
    ]);
    await client.exec('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    await migrate(drizzle(client), { migrationsFolder: migrationsBefore('0008_teams') });
  }, 60_000);
  afterAll(async () => {
    await handle.close();
  });

  it('makes each owner an owner member and the first user the administrator', async () => {
    const [first] = await handle.query<{ id: string }>(
      `INSERT INTO users (email, name, password_hash, created_at)
       VALUES ('first@example.com', 'First', 'x', now() - interval '2 days') RETURNING id`,
    );
    const [second] = await handle.query<{ id: string }>(
      `INSERT INTO users (email, name, password_hash) VALUES ('second@example.com', 'Second', 'x')
       RETURNING id`,
    );
    const firstId = first?.id ?? '';
    const secondId = second?.id ?? '';
    const businesses = await handle.query<{ id: string; owner_id: string }>(
      `INSERT INTO businesses (owner_id, name, write_key) VALUES
         ($1, 'Bakery', 'wk_a'), ($1, 'Florist', 'wk_b'), ($2, 'Garage', 'wk_c')
       RETURNING id, owner_id`,
      [firstId, secondId],
    );

    await migrateDatabase(handle);

    const members = await handle.query<{ business_id: string; user_id: string; role: string }>(
      'SELECT business_id, user_id, role FROM business_members ORDER BY business_id',
    );
    expect(members).toHaveLength(3);
    for (const business of businesses) {
      expect(members).toContainEqual({
        business_id: business.id,
        user_id: business.owner_id,
        role: 'owner',
      });
    }
    const admins = await handle.query<{ email: string }>(
      'SELECT email FROM users WHERE is_admin ORDER BY email',
    );
    expect(admins).toEqual([{ email: 'first@example.com' }]);

    // Each owner still reaches each of their businesses with every permission, and not the other's.
    const access = createBusinessAccess(handle.db, new MemoryCache());
    const principal = (userId: string) => ({
      userId,
      via: 'jwt' as const,
      scopes: ['read', 'write'] as const,
    });
    const garage = businesses.find((business) => business.owner_id === secondId)?.id ?? '';
    for (const business of businesses.filter((b) => b.owner_id === firstId)) {
      await expect(
        access.require(principal(firstId), business.id, 'business.delete'),
      ).resolves.toEqual({ role: 'owner', approver: false });
    }
    await expect(access.require(principal(firstId), garage, 'business.read')).rejects.toMatchObject(
      {
        code: 'NOT_FOUND',
      },
    );
  });
});

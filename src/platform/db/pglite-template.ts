// An empty, migrated embedded database, made once per install, that a new data directory starts
// from: PGlite's initdb takes seconds and a second Postgres instance's worth of memory, and
// migrations run slower on a fresh copy than they did on the template; loading the copy takes a
// fraction of both. `npm install` makes it (scripts/prepare-pglite-template.ts); when it is
// missing, PGlite runs initdb and the migrations as before. Keyed by the PGlite version and the
// migrations it holds (migrations added later still apply on top of an older copy).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CACHE_DIR = fileURLToPath(
  new URL('../../../node_modules/.cache/herald-pglite', import.meta.url),
);

function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const manifest = path.join(entry.slice(0, entry.lastIndexOf('/dist/')), 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

function migrationsKey(): string {
  const journal = readFileSync(new URL('./migrations/meta/_journal.json', import.meta.url));
  return createHash('sha256').update(journal).digest('hex').slice(0, 12);
}

export function pgliteTemplatePath(): string {
  return path.join(CACHE_DIR, `pglite-${pgliteVersion()}-migrations-${migrationsKey()}.tar.gz`);
}

/** The template for this PGlite version, if this install has one. */
export function readPgliteTemplate(): Blob | undefined {
  try {
    const file = pgliteTemplatePath();
    return existsSync(file) ? new Blob([readFileSync(file)]) : undefined;
  } catch {
    return undefined; // no template: initdb
  }
}

/** Creates and migrates a database in memory and keeps a copy; returns where. */
export async function writePgliteTemplate(): Promise<string> {
  const [{ openDatabase }, { migrateDatabase }] = await Promise.all([
    import('./client.ts'),
    import('./migrate.ts'),
  ]);
  const database = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
  try {
    await migrateDatabase(database);
    const pglite = database.pglite;
    if (!pglite) throw new Error('expected an embedded database');
    const dump = await pglite.dumpDataDir('gzip');
    const file = pgliteTemplatePath();
    mkdirSync(path.dirname(file), { recursive: true });
    // Written aside and renamed, so a reader never sees half a file.
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, file);
    return file;
  } finally {
    await database.close();
  }
}

// Fails when the schema has changed without a generated migration: runs drizzle-kit generate
// into a scratch copy of the migrations folder and checks that it had nothing to write.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const migrations = path.resolve('src/platform/db/migrations');
const scratch = mkdtempSync(path.join(tmpdir(), 'herald-migrations-'));
try {
  cpSync(migrations, scratch, { recursive: true });
  const config = path.join(scratch, 'drizzle.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      dialect: 'postgresql',
      schema: path.resolve('src/platform/db/schema/index.ts'),
      out: scratch,
    }),
  );
  const before = readdirSync(scratch).length;
  execFileSync('npx', ['drizzle-kit', 'generate', '--config', config], { stdio: 'pipe' });
  const after = readdirSync(scratch).length;
  if (after !== before) {
    process.stderr.write(
      'The database schema changed but no migration was generated: run `npm run db:generate`.\n',
    );
    process.exit(1);
  }
  process.stdout.write('migrations are up to date with the schema\n');
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

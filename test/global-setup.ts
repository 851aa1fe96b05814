// Builds one migrated embedded database (schema + job-queue tables) and dumps it to a file, so
// every test app starts from a fresh copy in well under a second instead of running initdb.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { TestProject } from 'vitest/node';

import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createRuntime } from '../src/runtime.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplatePath: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = path.join(tmpdir(), `herald-test-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const templatePath = path.join(dir, 'pglite-template.tar');
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' });
  const runtime = await createRuntime(
    { ...config, database: { kind: 'pglite', dataDir: 'memory://' } },
    createLogger({ level: 'silent', pretty: false }),
  );
  const pglite = runtime.database.pglite;
  if (!pglite) throw new Error('expected an embedded database');
  await runtime.queue.stop(1_000);
  const dump = await pglite.dumpDataDir('none');
  writeFileSync(templatePath, Buffer.from(await dump.arrayBuffer()));
  await runtime.close();
  project.provide('pgliteTemplatePath', templatePath);
}

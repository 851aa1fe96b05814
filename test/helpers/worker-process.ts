// A `herald worker` in its own process, as an operator scales them out: the multi-process tests
// on the PostgreSQL server start one or more against the test app's database.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves when the worker logs that it consumes the queues; rejects if it exits first. */
  started: Promise<void>;
}

/** Starts `node src/main.ts worker` on `databaseUrl`, with `env` added to a minimal environment. */
export function startWorkerProcess(
  databaseUrl: string,
  env: Record<string, string> = {},
): WorkerProcess {
  const child = spawn(process.execPath, ['src/main.ts', 'worker'], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: databaseUrl,
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'herald-worker-')),
      LOG_PRETTY: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const started = new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => {
      if (line.includes('"herald worker started"')) resolve();
    });
    child.once('exit', (code) => {
      reject(new Error(`worker exited with ${String(code)} before starting`));
    });
  });
  return { child, started };
}

// The process as an operator runs it: start-up refuses bad configuration with a message naming
// the variable, and SIGTERM lets in-flight requests finish before exiting 0.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

import { describe, expect, it } from 'vitest';

const NODE = process.execPath;

function startProcess(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(NODE, args, {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: {
      PATH: process.env.PATH ?? '',
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'herald-process-')),
      LOG_PRETTY: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves with the first JSON log line for which `match` holds. */
function waitForLog(
  child: ChildProcess,
  match: (entry: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  if (!child.stdout) throw new Error('no stdout');
  const lines = createInterface({ input: child.stdout });
  return new Promise((resolve, reject) => {
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        if (match(entry)) resolve(entry);
      } catch {
        // not a log line
      }
    });
    child.once('exit', (code) => {
      reject(new Error(`process exited (${code}) before the expected log line`));
    });
  });
}

describe('the herald process', () => {
  it('refuses to start on an invalid variable, naming it and what it expected', async () => {
    const child = startProcess(['src/main.ts', 'serve'], {
      PORT: 'eighty',
      DATABASE_URL: 'mysql://db/herald',
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(78);
    expect(stderr).toContain('Invalid configuration');
    expect(stderr).toMatch(/PORT: .*number/i);
    expect(stderr).toMatch(/DATABASE_URL: .*postgres:\/\//);
  });

  it('answers an unknown command with its usage and exit code 64', async () => {
    const child = startProcess(['src/main.ts', 'dance'], {});
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(64);
    expect(stderr).toContain('usage: herald');
  });

  it('on SIGTERM finishes the request in flight, then exits 0', async () => {
    const child = startProcess(['test/fixtures/slow-server.ts'], {
      PORT: '0',
      HOST: '127.0.0.1',
      SLOW_MS: '1500',
      SHUTDOWN_TIMEOUT_MS: '5000',
    });
    const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
    try {
      const listening = await waitForLog(child, (entry) => entry.msg === 'herald listening');
      const address = String(listening.address);
      // The real process also exports Node's own metrics (tests' in-process apps leave them out).
      const metrics = await (await fetch(`${address}/metrics`)).text();
      expect(metrics).toMatch(/^herald_process_cpu_user_seconds_total \d/m);
      expect(metrics).toMatch(/^herald_nodejs_heap_size_used_bytes \d/m);
      const started = waitForLog(child, (entry) => entry.msg === 'slow request started');
      const inFlight = fetch(`${address}/test/slow`);
      await started;
      child.kill('SIGTERM');
      const response = await inFlight;
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ finished: true });
      const [code, signal] = await exited;
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      // Nothing listens any more.
      await expect(fetch(`${address}/health/live`)).rejects.toThrow();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});

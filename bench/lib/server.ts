// Starts Herald as a separate process for a benchmark (`node src/main.ts serve` on a free
// loopback port), waits until it answers, reads its memory from /proc, and stops it with SIGTERM
// as an orchestrator would. The load generator never shares the server's process.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Node flags `npm start` runs Herald with (a smaller young generation: see package.json). */
export const HERALD_NODE_FLAGS = [
  '--max-semi-space-size=8',
  '--heap-growing-percent=50',
  '--liftoff-only',
];

/** A TCP port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => {
        resolve(port);
      });
    });
  });
}

export interface MemorySample {
  /** Resident set size now, MB. */
  rssMb: number;
  /** Peak resident set size since the process started (VmHWM), MB. */
  hwmMb: number;
}

/** Reads VmRSS and VmHWM of a process from /proc (Linux). */
export function readMemory(pid: number): MemorySample | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

/** Samples a process's RSS every `intervalMs` until stopped; returns the highest seen. */
export function sampleRss(pid: number, intervalMs = 100): { stop(): number } {
  let peak = readMemory(pid)?.rssMb ?? 0;
  const timer = setInterval(() => {
    const sample = readMemory(pid);
    if (sample && sample.rssMb > peak) peak = sample.rssMb;
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      const sample = readMemory(pid);
      return Math.max(peak, sample?.rssMb ?? 0);
    },
  };
}

export interface StartServerOptions {
  /** Environment on top of the defaults below (DATABASE_URL, LOG_LEVEL, limits…). */
  env?: Record<string, string>;
  /** Path polled until it answers 200. */
  readyPath?: string;
  timeoutMs?: number;
  /** Reuse a data directory (e.g. a second launch); a fresh temporary one otherwise. */
  dataDir?: string;
  /** A fixed port (several processes sharing one); a free one otherwise. */
  port?: number;
  /** Script and arguments to run instead of `src/main.ts serve` (same Node flags). */
  entry?: string[];
}

export interface RunningServer {
  url: string;
  pid: number;
  dataDir: string;
  /** Where the server's stdout and stderr go. */
  logFile: string;
  /** Milliseconds from spawn until `readyPath` first answered 200. */
  startupMs: number;
  process: ChildProcess;
  /** SIGTERM, wait for exit (SIGKILL after a deadline); returns the exit code. */
  stop(): Promise<number | null>;
  /** Deletes the temporary data directory (when this helper created it). */
  cleanup(): void;
}

export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const port = options.port ?? (await freePort());
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'herald-bench-'));
  const logFile = path.join(dataDir, 'server.log');
  const log = openSync(logFile, 'a');
  const env: Record<string, string | undefined> = {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    LOG_PRETTY: 'false',
    ...options.env,
  };
  // Inherited from a developer's shell, these would point the bench somewhere else.
  if (!options.env?.DATABASE_URL) delete env.DATABASE_URL;
  if (!options.env?.REDIS_URL) delete env.REDIS_URL;
  const started = performance.now();
  // The same Node flags as `npm start` (package.json), so the figures are the product's.
  const entry = options.entry ?? ['src/main.ts', 'serve'];
  const child = spawn(process.execPath, [...HERALD_NODE_FLAGS, ...entry], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', log, log],
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      resolve(code);
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = started + (options.timeoutMs ?? 60_000);
  let startupMs: number | undefined;
  while (startupMs === undefined) {
    if (child.exitCode !== null) {
      throw new Error(`server exited with ${child.exitCode}; see ${logFile}`);
    }
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server not ready within ${options.timeoutMs ?? 60_000} ms; see ${logFile}`);
    }
    try {
      const response = await fetch(url + (options.readyPath ?? '/health/ready'));
      if (response.ok) startupMs = performance.now() - started;
      await response.body?.cancel();
    } catch {
      // not listening yet
    }
    if (startupMs === undefined) await sleep(25);
  }
  if (child.pid === undefined) throw new Error('server has no pid');
  return {
    url,
    pid: child.pid,
    dataDir,
    logFile,
    startupMs,
    process: child,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timeout = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timeout);
      return code;
    },
    cleanup() {
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${String(pid)}/stat`, 'utf8')
      .split(') ')[1]
      ?.split(' ');
    return (Number(fields?.[11]) + Number(fields?.[12])) / 100;
  } catch {
    return 0;
  }
}

// Runs autocannon in its own process (its CLI with --json), so the load generator's CPU is not
// counted against the server's event loop, and parses the figures a results table needs.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const AUTOCANNON = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

export interface LoadOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** autocannon worker threads; 0 runs the generator on one thread. */
  workers?: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  total: number;
  /** Responses outside 2xx, connection errors and timeouts: a valid run has none. */
  non2xx: number;
  errors: number;
  timeouts: number;
}

interface AutocannonJson {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const args = [
    AUTOCANNON,
    '--json',
    '--no-progress',
    '-c',
    String(options.connections),
    '-d',
    String(options.durationSeconds),
    '-m',
    options.method ?? 'GET',
  ];
  if (options.workers) args.push('-w', String(options.workers));
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    args.push('-H', `${name}=${value}`);
  }
  if (options.body !== undefined) args.push('-b', options.body);
  args.push(options.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) {
        reject(new Error(`autocannon exited with ${code}: ${stderr.slice(-500)}`));
        return;
      }
      try {
        const json = JSON.parse(stdout) as AutocannonJson;
        resolve({
          requestsPerSecond: json.requests.average,
          p50Ms: json.latency.p50,
          p99Ms: json.latency.p99,
          maxMs: json.latency.max,
          total: json.requests.total,
          non2xx: json.non2xx,
          errors: json.errors,
          timeouts: json.timeouts,
        });
      } catch (error) {
        reject(new Error(`could not parse autocannon output: ${String(error)}`));
      }
    });
  });
}

// Start-up time and memory of Herald as a user launches it: `npm start` (the README's command),
// from spawn to the first 200 from /health, on a first launch (an empty data directory or an
// empty database) and on a relaunch (the same one again). Also RSS right after ready and after
// a few seconds idle, and where the time goes: npm, Node, loading modules, the database,
// migrations, the queue, listening. Prints a table and appends it to bench/RESULTS.md.
//
//   npm run bench:startup                                    # PGlite, 5 launches of each kind
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5433/postgres npm run bench:startup -- --db both
//
// Flags: --db pglite|postgres|both, --database-url (an admin URL: a scratch database is created
// and dropped), --runs n, --settle s (idle wait before the second RSS reading), --note text,
// --cold (as on a fresh clone where install scripts did not run: no compile cache, no template
// of the embedded database), --no-append.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { pgliteTemplatePath } from '../src/platform/db/pglite-template.ts';
import { machineInfo } from './lib/machine.ts';
import { createScratchDatabase, type ScratchDatabase, serverVersion } from './lib/postgres.ts';
import { appendResults, markdownTable, median } from './lib/results.ts';
import { freePort, readMemory, REPO_ROOT } from './lib/server.ts';

const { values: flags } = parseArgs({
  options: {
    db: { type: 'string', default: 'pglite' },
    'database-url': { type: 'string' },
    runs: { type: 'string', default: '5' },
    settle: { type: 'string', default: '5' },
    cold: { type: 'boolean', default: false },
    note: { type: 'string' },
    'no-append': { type: 'boolean', default: false },
  },
});

const RUNS = Number(flags.runs);
const SETTLE_MS = Number(flags.settle) * 1000;
const adminUrl = flags['database-url'] ?? process.env.BENCH_DATABASE_URL;
const databases = flags.db === 'both' ? ['pglite', 'postgres'] : [flags.db];
if (databases.includes('postgres') && !adminUrl) {
  throw new Error('--db postgres needs --database-url or BENCH_DATABASE_URL (an admin URL)');
}
const MARK = fileURLToPath(new URL('./lib/startup-mark.ts', import.meta.url));

/** Log messages that mark a stage of `herald serve`, in the order they happen. */
const STAGES = [
  ['herald starting', 'modules loaded'],
  ['database opened', 'database opened'],
  ['migrations applied', 'migrations applied'],
  ['queue started', 'queue started'],
  ['herald listening', 'listening'],
] as const;

interface Launch {
  /** Spawn → first 200 from /health. */
  readyMs: number;
  rssReadyMb: number;
  rssIdleMb: number;
  /** Peak RSS of the Herald process up to the idle reading (VmHWM). */
  peakMb: number;
  /** CPU time (user + system) at ready: Herald's process, and npm's own. Less noisy than wall
   * time on a shared machine. */
  heraldCpuMs: number;
  npmCpuMs: number;
  /** Milliseconds from spawn for each point of the breakdown; missing when not seen. */
  marks: Record<string, number | undefined>;
}

interface LogLine {
  time?: string | number;
  msg?: string;
  startupMark?: string;
  pid?: number;
  argv?: string[];
  timeOrigin?: number;
}

function parseLog(file: string): LogLine[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return [];
      }
    });
}

/** User + system CPU time of a process so far, from /proc (Linux; clock ticks of 10 ms). */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

const epoch = (time: string | number | undefined) =>
  time === undefined ? undefined : typeof time === 'number' ? time : Date.parse(time);

let keepDirs = false;
function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Runs `npm start` once; stops Herald (SIGTERM) after the idle reading. */
async function launch(dataDir: string, env: Record<string, string>): Promise<Launch> {
  const port = await freePort();
  const logFile = path.join(dataDir, `launch-${Date.now()}.log`);
  const log = openSync(logFile, 'a');
  const childEnv: Record<string, string | undefined> = {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    LOG_PRETTY: 'false',
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${MARK}`.trim(),
    ...env,
  };
  if (!env.DATABASE_URL) delete childEnv.DATABASE_URL;
  delete childEnv.NODE_ENV; // a user's shell has none
  if (flags.cold) childEnv.NODE_DISABLE_COMPILE_CACHE = '1';
  delete childEnv.REDIS_URL;
  const spawnedAt = Date.now();
  const npm: ChildProcess = spawn('npm', ['start'], {
    cwd: REPO_ROOT,
    env: childEnv,
    stdio: ['ignore', log, log],
  });
  const exited = new Promise<void>((resolve) =>
    npm.once('exit', () => {
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}/health`;
  const fail = (reason: string): never => {
    // Keep the log for a look, and leave nothing running.
    keepDirs = true;
    for (const line of parseLog(logFile)) if (line.pid) killQuietly(line.pid);
    npm.kill('SIGKILL');
    throw new Error(`${reason}; see ${logFile}`);
  };
  let readyMs: number | undefined;
  while (readyMs === undefined) {
    if (npm.exitCode !== null) fail('npm start exited early');
    if (Date.now() - spawnedAt > 120_000) fail('not ready in 120 s');
    try {
      const response = await fetch(url);
      await response.body?.cancel();
      if (response.status === 200) readyMs = Date.now() - spawnedAt;
    } catch {
      // not listening yet
    }
    if (readyMs === undefined) await sleep(10);
  }
  const lines = parseLog(logFile);
  const heraldMark = lines.find((line) =>
    line.argv?.some((arg) => /(src\/main\.ts|bin\/herald\.js)$/.test(arg)),
  );
  if (heraldMark?.pid === undefined) fail("no start mark from Herald's process");
  const pid = heraldMark?.pid ?? Number.NaN;
  const rssReadyMb = readMemory(pid)?.rssMb ?? Number.NaN;
  const heraldCpuMs = cpuMs(pid);
  const npmCpuMs = cpuMs(npm.pid);
  await sleep(SETTLE_MS);
  const idle = readMemory(pid);

  process.kill(pid, 'SIGTERM');
  const killer = setTimeout(() => {
    process.kill(pid, 'SIGKILL');
    npm.kill('SIGKILL');
  }, 30_000);
  await exited;
  clearTimeout(killer);

  const all = parseLog(logFile);
  const since = (time: number | undefined) => (time === undefined ? undefined : time - spawnedAt);
  const messages = all.filter((line) => line.msg !== undefined);
  const marks: Launch['marks'] = {
    'Herald node started': since(heraldMark?.timeOrigin),
    'Node ready (preload ran)': since(epoch(heraldMark?.time)),
    'first log line': since(epoch(messages[0]?.time)),
  };
  for (const [msg, label] of STAGES) {
    marks[label] = since(epoch(messages.find((line) => line.msg === msg)?.time));
  }
  marks['/health 200'] = readyMs;
  return {
    readyMs,
    rssReadyMb,
    rssIdleMb: idle?.rssMb ?? Number.NaN,
    peakMb: idle?.hwmMb ?? Number.NaN,
    heraldCpuMs,
    npmCpuMs,
    marks,
  };
}

interface Series {
  db: string;
  kind: 'first launch' | 'relaunch';
  launches: Launch[];
}

async function measure(db: string): Promise<Series[]> {
  const first: Launch[] = [];
  const again: Launch[] = [];
  const dirs: string[] = [];
  const scratches: ScratchDatabase[] = [];
  const newDir = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'herald-startup-'));
    dirs.push(dir);
    return dir;
  };
  try {
    let kept: { dir: string; env: Record<string, string> } | undefined;
    for (let run = 0; run < RUNS; run++) {
      const env: Record<string, string> = {};
      if (db === 'postgres' && adminUrl) {
        const scratch = await createScratchDatabase(adminUrl);
        scratches.push(scratch);
        env.DATABASE_URL = scratch.url;
      }
      const dir = newDir();
      first.push(await launch(dir, env));
      kept ??= { dir, env };
      process.stdout.write(`${db} first launch ${run + 1}: ${first.at(-1)?.readyMs} ms\n`);
    }
    if (!kept) return [];
    for (let run = 0; run < RUNS; run++) {
      again.push(await launch(kept.dir, kept.env));
      process.stdout.write(`${db} relaunch ${run + 1}: ${again.at(-1)?.readyMs} ms\n`);
    }
  } finally {
    for (const scratch of scratches) await scratch.drop().catch(() => undefined);
    if (!keepDirs) for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
  return [
    { db, kind: 'first launch', launches: first },
    { db, kind: 'relaunch', launches: again },
  ];
}

const mb = (value: number) => `${Math.round(value)} MB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

if (!existsSync(path.join(REPO_ROOT, 'web/dist/index.html'))) {
  // Otherwise the first launch also builds the dashboard (vite) alongside start-up.
  throw new Error('web/dist is missing: run `npm run build:web` first');
}
// --cold: the install's database template is moved aside for the run.
const template = pgliteTemplatePath();
const templateAside = `${template}.aside`;
if (flags.cold && existsSync(template)) renameSync(template, templateAside);
const loadBefore = os.loadavg();
const results: Series[] = [];
try {
  for (const db of databases) results.push(...(await measure(db)));
} finally {
  if (existsSync(templateAside)) renameSync(templateAside, template);
}
const loadAfter = os.loadavg();

const summary = markdownTable(
  [
    'db',
    'launch',
    'npm start → /health 200 (median)',
    'min–max',
    'CPU at ready: Herald + npm',
    'RSS at ready',
    'RSS idle',
    'peak RSS',
  ],
  results.map(({ db, kind, launches }) => {
    const ready = launches.map((l) => l.readyMs);
    return [
      db,
      kind,
      seconds(median(ready)),
      `${seconds(Math.min(...ready))}–${seconds(Math.max(...ready))}`,
      `${seconds(median(launches.map((l) => l.heraldCpuMs)))} + ${seconds(median(launches.map((l) => l.npmCpuMs)))}`,
      mb(median(launches.map((l) => l.rssReadyMb))),
      mb(median(launches.map((l) => l.rssIdleMb))),
      mb(median(launches.map((l) => l.peakMb))),
    ];
  }),
);
const labels = [
  ...new Set(results.flatMap((s) => s.launches.flatMap((l) => Object.keys(l.marks)))),
];
const breakdown = markdownTable(
  ['ms from spawn (median)', ...results.map(({ db, kind }) => `${db}, ${kind}`)],
  labels.map((label) => [
    label,
    ...results.map(({ launches }) => {
      const values = launches.flatMap((l) =>
        l.marks[label] === undefined ? [] : [l.marks[label]],
      );
      return values.length === 0 ? '—' : String(Math.round(median(values)));
    }),
  ]),
);

const pgVersion =
  databases.includes('postgres') && adminUrl ? await serverVersion(adminUrl) : undefined;
const fmtLoad = (load: number[]) => load.map((value) => value.toFixed(2)).join(', ');
const body = [
  `- \`npm start\` spawned by the bench with an empty environment beyond HOST, PORT, DATA_DIR, LOG_LEVEL=info and LOG_PRETTY=false (no NODE_ENV, as a user's shell); ready = the first 200 from \`GET /health\`, polled every 10 ms`,
  ...(flags.cold
    ? [
        '- cold: no compile cache (NODE_DISABLE_COMPILE_CACHE=1) and no database template, as on a fresh clone whose install scripts did not run',
      ]
    : []),
  `- first launch = a new empty data directory (PGlite) or a new empty database (PostgreSQL); relaunch = the first run's again; ${RUNS} launches of each, medians`,
  `- RSS of Herald's Node process (not npm's) at ready and after ${SETTLE_MS / 1000} s idle; peak = VmHWM up to then`,
  `- breakdown from each process's own marks: Node's process start (performance.timeOrigin) and its first user code (a preload, \`bench/lib/startup-mark.ts\`), then Herald's log lines`,
  `- load average before / after: ${fmtLoad(loadBefore)} / ${fmtLoad(loadAfter)} (1, 5, 15 min) on ${os.availableParallelism()} cores`,
  ...(pgVersion ? [`- PostgreSQL ${pgVersion} on the same machine`] : []),
  ...(flags.note ? [`- ${flags.note}`] : []),
  '',
  summary,
  '',
  breakdown,
].join('\n');

process.stdout.write(`\n${body}\n`);
if (!flags['no-append']) appendResults('Start-up (bench/startup.ts)', machineInfo(), body);

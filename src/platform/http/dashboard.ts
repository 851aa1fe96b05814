// Serves the web dashboard (web/dist, built by Vite) at `/`: hashed assets cached for a year,
// every other path that is not a file answers index.html so client-side routes survive a
// reload. The API is untouched: an unknown /api/… path still gets the 404 error envelope.
// Until a build exists the dashboard answers 503 (the error envelope) saying what to do.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

import type { Logger } from '../logger.ts';
import { errorEnvelope } from './errors.ts';
import { SECURITY_HEADERS } from './security-headers.ts';

export const WEB_ROOT = fileURLToPath(new URL('../../../web/', import.meta.url));
export const DASHBOARD_DIST = path.join(WEB_ROOT, 'dist');

/** Paths that belong to the server, never to the dashboard's client-side router. */
const SERVER_PATHS = /^\/(api|docs|health|metrics)(\/|$)/;

// On plain http (a LAN address, no TLS yet) `upgrade-insecure-requests` would make the browser
// fetch the dashboard's own scripts over https and fail; the document drops just that directive.
const CSP_WITHOUT_UPGRADE = (SECURITY_HEADERS['content-security-policy'] ?? '')
  .split(';')
  .filter((directive) => directive !== 'upgrade-insecure-requests')
  .join(';');

export interface DashboardOptions {
  distDir?: string;
  /** https deployments keep `upgrade-insecure-requests` on the document too. */
  secure?: boolean;
}

export async function installDashboard(
  app: FastifyInstance,
  options: DashboardOptions = {},
): Promise<void> {
  const distDir = options.distDir ?? DASHBOARD_DIST;
  // `serve: false`: only reply.sendFile; the one route below decides what each path gets.
  await app.register(fastifyStatic, { root: distDir, serve: false });

  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const pathname = safeDecode(request.url.split('?')[0] ?? '/');
    if (SERVER_PATHS.test(pathname)) {
      reply.callNotFound();
      return reply;
    }
    const file = path.normalize(pathname).replace(/^(\.\.[/\\])+/, '');
    if (file !== '/' && (await isFile(path.join(distDir, file)))) {
      const hashed = file.startsWith('/assets/');
      return reply.sendFile(file, {
        maxAge: hashed ? 31_536_000_000 : 3_600_000,
        immutable: hashed,
      });
    }
    if (!(await isFile(path.join(distDir, 'index.html')))) {
      // The error envelope like every other error Herald answers; its message says what to do.
      const message = building
        ? 'The Herald dashboard is being built; reload in a few seconds.'
        : 'The Herald dashboard is not built. Run `npm run build:web` (or `npm start`, which builds it) and reload. The API is available under /api/v1.';
      return reply
        .status(503)
        .header('retry-after', '5')
        .send(errorEnvelope('NOT_READY', message, {}, request.id));
    }
    if (!options.secure) void reply.header('content-security-policy', CSP_WITHOUT_UPGRADE);
    return reply
      .header('cache-control', 'no-cache')
      .sendFile('index.html', { cacheControl: false });
  });
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value; // malformed escapes: treat as a literal path (it will not be a file)
  }
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

let building = false;

/** Whether Vite (a dev dependency) is installed: production images may leave it out. */
function viteEntry(): string | undefined {
  try {
    // Its package exports hide bin/: find it next to the (exported) package.json.
    const manifest = createRequire(import.meta.url).resolve('vite/package.json');
    return path.join(path.dirname(manifest), 'bin', 'vite.js');
  } catch {
    return undefined;
  }
}

/**
 * Builds the dashboard when web/dist is missing (a fresh clone's `npm start`). Resolves when the
 * build ends, true if it produced index.html. Never throws: the API works without a dashboard.
 */
export async function buildDashboardIfMissing(
  logger: Logger,
  options: { distDir?: string } = {},
): Promise<boolean> {
  const distDir = options.distDir ?? DASHBOARD_DIST;
  if (existsSync(path.join(distDir, 'index.html'))) return true;
  const vite = viteEntry();
  if (!vite || !existsSync(path.join(WEB_ROOT, 'index.html'))) {
    logger.warn(
      { distDir },
      'dashboard not built and Vite is not installed: run `npm run build:web` where dev dependencies are installed',
    );
    return false;
  }
  building = true;
  const started = Date.now();
  logger.info({ distDir }, 'building the dashboard');
  try {
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(
        process.execPath,
        [vite, 'build', '--config', path.join(WEB_ROOT, 'vite.config.ts'), '--logLevel', 'warn'],
        { cwd: WEB_ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.once('error', () => {
        resolve(null);
      });
      child.once('exit', (exitCode) => {
        if (exitCode !== 0) logger.error({ stderr: stderr.slice(-2000) }, 'dashboard build failed');
        resolve(exitCode);
      });
    });
    const ok = code === 0 && existsSync(path.join(distDir, 'index.html'));
    if (ok) logger.info({ ms: Date.now() - started }, 'dashboard built');
    return ok;
  } finally {
    building = false;
  }
}

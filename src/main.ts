// Herald's one entry point: `herald serve | worker | migrate | mcp`.
//   serve    API + dashboard + an in-process worker (the default, what `npm start` runs)
//   worker   worker only: consumes the job queue (needs DATABASE_URL; scale these out)
//   migrate  apply database migrations and exit
//   mcp      MCP over stdio, bridged to a running server's /mcp (modules/mcp/stdio-bridge.ts)
import closeWithGrace from 'close-with-grace';

import { buildApp } from './app.ts';
import { type Config, ConfigError, loadConfig, readDotenv } from './config.ts';
import { buildDashboardIfMissing } from './platform/http/dashboard.ts';
import type { App } from './platform/http/types.ts';
import { createLogger, type Logger } from './platform/logger.ts';
import { createRuntime, type Runtime } from './runtime.ts';

const USAGE = 'usage: herald [serve|worker|migrate|mcp]';

/** Stops on SIGTERM/SIGINT: stop accepting, finish in-flight requests and jobs, close the db. */
function closeOnSignal(logger: Logger, config: Config, runtime: Runtime, app?: App): void {
  closeWithGrace(
    // The deadline covers requests and jobs; past it the process exits 1 rather than hang.
    {
      delay: config.shutdownTimeoutMs + 2_000,
      logger: {
        error: (msg: unknown) => {
          logger.error(msg);
        },
      },
    },
    async ({ signal, err }) => {
      if (err) logger.error({ err }, 'fatal error, shutting down');
      else logger.info({ signal }, 'shutting down');
      if (app) await app.close();
      await runtime.close();
      logger.info('shutdown complete');
    },
  );
}

export interface ServeOptions {
  /** Lets a caller add routes before the server starts (used by the shutdown test). */
  configureApp?: (app: App) => void;
}

export async function serve(config: Config, logger: Logger, options: ServeOptions = {}) {
  // A fresh clone has no dashboard build: make it alongside start-up (the API and /health do
  // not wait for it; the dashboard answers 503 "being built" until it is there).
  void buildDashboardIfMissing(logger);
  const runtime = await createRuntime(config, logger);
  const app = await buildApp({ ...runtime });
  options.configureApp?.(app);
  closeOnSignal(logger, config, runtime, app);
  await runtime.queue.work(runtime.jobs);
  const address = await app.listen({ port: config.http.port, host: config.http.host });
  logger.info(
    { address, db: runtime.database.kind, cache: runtime.cache.kind },
    'herald listening',
  );
  return { app, runtime };
}

export async function work(config: Config, logger: Logger) {
  if (config.database.kind !== 'postgres') {
    throw new ConfigError([
      {
        variable: 'DATABASE_URL',
        message:
          'a separate worker process needs a PostgreSQL server; on the embedded database `herald serve` runs the worker in-process',
      },
    ]);
  }
  const runtime = await createRuntime(config, logger);
  closeOnSignal(logger, config, runtime);
  await runtime.queue.work(runtime.jobs);
  logger.info({ queues: runtime.jobs.map((job) => job.queue) }, 'herald worker started');
  return { runtime };
}

/** `herald mcp`: stdout carries the protocol, so no logger and no configuration are opened. */
async function mcpBridge(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  // Loaded only here: `herald serve` does not pay for the MCP client at start-up.
  const { bridgeOptionsOf, runStdioBridge, STDIO_USAGE } =
    await import('./modules/mcp/stdio-bridge.ts');
  // A .env beside Herald may hold HERALD_API_KEY, HERALD_URL or PORT, as for `herald serve`.
  const options = bridgeOptionsOf(argv, { ...readDotenv(), ...env });
  if ('error' in options) {
    process.stderr.write(`herald mcp: ${options.error}\n${STDIO_USAGE}\n`);
    process.exit(64); // EX_USAGE
  }
  await runStdioBridge(options, {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
  });
}

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const command = argv[0] ?? 'serve';
  if (command === 'mcp') {
    await mcpBridge(argv.slice(1), env);
    return;
  }
  let config: Config;
  try {
    config = loadConfig({ ...readDotenv(), ...env });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`herald: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger(config.log);
  // Everything before this line is Node loading Herald's modules (bench/startup.ts reads it).
  logger.info({ command }, 'herald starting');
  try {
    switch (command) {
      case 'serve':
        await serve(config, logger);
        return;
      case 'worker':
        await work(config, logger);
        return;
      case 'migrate': {
        const runtime = await createRuntime(config, logger, { migrate: true, startQueue: true });
        await runtime.close();
        logger.info('migrations applied');
        return;
      }
      default:
        process.stderr.write(`${USAGE}\n`);
        process.exit(64); // EX_USAGE
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`herald: ${error.message}\n`);
      process.exit(78);
    }
    logger.fatal({ err: error }, 'herald failed to start');
    logger.flush();
    process.exit(1);
  }
}

if (import.meta.main) {
  await main(process.argv.slice(2), process.env);
}

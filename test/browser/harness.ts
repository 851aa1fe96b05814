// Everything a browser test needs: a fake OpenAI-compatible model, a real Herald process on a
// loopback port with a fresh embedded database (`test/browser/herald-under-test.ts`), and
// headless Debian Chromium driven by playwright-core. Screenshots go to test-artifacts/browser/.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { type Browser, chromium, type Page } from 'playwright-core';

import { freePort } from '../../bench/lib/server.ts';
import { type FakeLlm, startFakeLlm } from './fake-llm.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts', 'browser');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
];

/** Fails with what to do, never skips: these tests are the dashboard's proof. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. The browser tests need Debian's Chromium: ` +
        '`apt-get install -y chromium` (or set CHROMIUM_PATH to a Chromium/Chrome binary).',
    );
  }
  if (!existsSync(path.join(REPO_ROOT, 'web/dist/index.html'))) {
    throw new Error(
      'The dashboard is not built: run `npm run build:web` (npm run test:browser does).',
    );
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

export interface Herald {
  url: string;
  llm: FakeLlm;
  logFile: string;
  /** Arms a server-side fault for the next `times` requests matching method and path regex. */
  fault(fault: {
    method?: string;
    path: string;
    kind?: 'internal' | 'unauthenticated' | 'conflict';
    times?: number;
  }): Promise<void>;
  /** Disarms every fault not yet used. */
  clearFaults(): Promise<void>;
  /** As if `seconds` went by for scheduled pieces: publishes what is then due; returns how many. */
  publishAsIfLater(seconds: number): Promise<number>;
  stop(): Promise<void>;
}

export async function startHerald(env: Record<string, string> = {}): Promise<Herald> {
  const llm = await startFakeLlm();
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'herald-browser-'));
  const logFile = path.join(dataDir, 'server.log');
  const log = openSync(logFile, 'a');
  const childEnv: Record<string, string | undefined> = {
    ...process.env,
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    LOG_PRETTY: 'false',
    LLM_PROVIDER: 'openai-compatible',
    LLM_BASE_URL: llm.baseUrl,
    LLM_API_KEY: 'fake',
    LLM_MODEL_FAST: 'fake-fast',
    LLM_MODEL_STRONG: 'fake-strong',
    LLM_MAX_RETRIES: '0',
    LLM_PRICES: JSON.stringify({
      'fake-fast': { input: 3, output: 15 },
      'fake-strong': { input: 3, output: 15 },
    }),
    // Every test signs up from 127.0.0.1: only the AI limit is low, and it counts per user.
    RATE_LIMIT_GENERAL_PER_MINUTE: '100000',
    RATE_LIMIT_AUTH_PER_MINUTE: '100000',
    RATE_LIMIT_AI_PER_MINUTE: '2',
    ...env,
  };
  delete childEnv.DATABASE_URL;
  delete childEnv.REDIS_URL;
  const child: ChildProcess = spawn(process.execPath, ['test/browser/herald-under-test.ts'], {
    cwd: REPO_ROOT,
    env: childEnv,
    stdio: ['ignore', log, log],
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(
        `Herald exited with ${child.exitCode}:\n${readFileSync(logFile, 'utf8').slice(-3000)}`,
      );
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Herald not ready within 90 s; see ${logFile}`);
    }
    const ready = await fetch(`${url}/health/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    await sleep(100);
  }
  return {
    url,
    llm,
    logFile,
    async fault(fault) {
      const response = await fetch(`${url}/__test__/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(fault),
      });
      if (response.status !== 204) throw new Error(`could not arm the fault: ${response.status}`);
    },
    async clearFaults() {
      const response = await fetch(`${url}/__test__/faults`, { method: 'DELETE' });
      if (response.status !== 204) throw new Error(`could not clear faults: ${response.status}`);
    },
    async publishAsIfLater(seconds) {
      const response = await fetch(`${url}/__test__/clock/publish-due`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ seconds }),
      });
      if (!response.ok) throw new Error(`could not move the clock: ${response.status}`);
      return ((await response.json()) as { published: number }).published;
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      await llm.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

let counter = 0;
/** A new account, signed up through the dashboard's own form; lands on the businesses page. */
export async function signUp(
  page: Page,
  base: string,
): Promise<{ email: string; password: string }> {
  counter += 1;
  const email = `marketer-${Date.now()}-${counter}@example.com`;
  const password = 'Blue-Door-Bakery-9';
  await page.goto(`${base}/register`);
  await page.getByLabel('Your name').fill('Mara Marketer');
  await page.getByLabel('Work email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(`${base}/businesses`);
  return { email, password };
}

/** Creates a business from the businesses page; lands on its brand profile; returns its id. */
export async function createBusiness(
  page: Page,
  base: string,
  name = 'Blue Door Bakery',
): Promise<string> {
  await page.getByLabel('Business name').fill(name);
  await page.getByLabel('Industry').fill('Bakery');
  await page.getByRole('button', { name: 'Create business' }).click();
  await page.waitForURL(/\/businesses\/[0-9a-f-]{36}\/profile$/);
  const id = /\/businesses\/([0-9a-f-]{36})\//.exec(page.url())?.[1];
  if (!id) throw new Error(`no business id in ${page.url()}`);
  await page.getByRole('heading', { name, level: 1 }).waitFor();
  return id;
}

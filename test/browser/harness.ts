// Everything a browser test needs: a fake OpenAI-compatible model, a real Herald process on a
// loopback port with a fresh embedded database (`test/browser/herald-under-test.ts`), and
// headless Debian Chromium driven by playwright-core. Screenshots go to test-artifacts/browser/.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

import { freePort } from '../../bench/lib/server.ts';
import type { ScoreSeed } from '../helpers/scores.ts';
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
  /** Makes the registered user with `email` a member of the business (no invitation). */
  addMember(member: {
    businessId: string;
    email: string;
    role: 'admin' | 'editor' | 'viewer';
    approver?: boolean;
  }): Promise<void>;
  /** A succeeded intelligence run scoring the business's customers given by email. */
  seedScores(
    businessId: string,
    scores: (Omit<ScoreSeed, 'customerId'> & { email: string })[],
  ): Promise<void>;
  /** Stores events (test/customers/events.ts shapes) and runs the customer processor. */
  seedEvents(businessId: string, events: Record<string, unknown>[]): Promise<void>;
  /** Every model call from now on waits (AI jobs stay mid-way) until `releaseAi`. */
  holdAi(): Promise<void>;
  releaseAi(): Promise<void>;
  /** How many model calls are waiting. */
  heldAiCalls(): Promise<number>;
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
    // No nightly intelligence run in the middle of a test: tests start runs themselves.
    INTELLIGENCE_NIGHTLY_HOUR: 'off',
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
  /** Stores events and runs the customer processor until they are processed. */
  async function storeEvents(businessId: string, events: object[]): Promise<void> {
    const response = await fetch(`${url}/__test__/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ businessId, events }),
    });
    if (!response.ok) throw new Error(`could not store the events: ${response.status}`);
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
    async addMember(member) {
      const response = await fetch(`${url}/__test__/members`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(member),
      });
      if (response.status !== 204) throw new Error(`could not add the member: ${response.status}`);
    },
    seedEvents: storeEvents,
    async seedScores(businessId, scores) {
      const response = await fetch(`${url}/__test__/scores`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ businessId, scores }),
      });
      if (response.status !== 204) throw new Error(`could not seed scores: ${response.status}`);
    },
    async holdAi() {
      const response = await fetch(`${url}/__test__/ai/hold`, { method: 'POST' });
      if (response.status !== 204) throw new Error(`could not hold the AI: ${response.status}`);
    },
    async releaseAi() {
      const response = await fetch(`${url}/__test__/ai/release`, { method: 'POST' });
      if (response.status !== 204) throw new Error(`could not release the AI: ${response.status}`);
    },
    async heldAiCalls() {
      const response = await fetch(`${url}/__test__/ai/held`);
      return ((await response.json()) as { held: number }).held;
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

/** Signs in through the dashboard's form; lands wherever the dashboard sends a signed-in user. */
export async function signIn(
  page: Page,
  base: string,
  account: { email: string; password: string },
): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

// The test files are type-checked without the DOM library: page scripts are strings.
const PAGE_WIDTH = `(() => ({
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth,
  // The outermost elements reaching past the right edge, to say what widened the page.
  wide: [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
    .filter((el) => !el.parentElement || el.parentElement.getBoundingClientRect().right <= window.innerWidth + 1)
    .slice(0, 5)
    .map((el) => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '') +
      ' ' + Math.round(el.getBoundingClientRect().width) + 'px'),
}))()`;

export interface PageWidth {
  scrollWidth: number;
  innerWidth: number;
  /** The outermost elements reaching past the right edge, with their widths. */
  wide: string[];
}

/** How wide the page is against the window, and what sticks out when it is wider. */
export const pageWidth = (page: Page) => page.evaluate<PageWidth>(PAGE_WIDTH);

/** An access token for an account, signed in through the API of the Herald at `base`. */
export async function tokenOf(
  base: string,
  account: { email: string; password: string },
): Promise<string> {
  const response = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(account),
  });
  return ((await response.json()) as { accessToken: string }).accessToken;
}

/** The API as a signed-in user (a bearer token): throws with the answer when it is not 2xx. */
export function apiAs(base: string, token: string) {
  return async <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<T> => {
    const response = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) {
      throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    }
    return (response.status === 204 ? undefined : await response.json()) as T;
  };
}

export interface BrowserSuite {
  herald: Herald;
  browser: Browser;
  /** A fresh browser context and page; every uncaught error in the page lands in `errors`. */
  newPage(
    options: BrowserContextOptions,
  ): Promise<{ context: BrowserContext; page: Page; errors: string[] }>;
}

/** Starts Herald (with `env`) and Chromium before the file's tests, and stops both after. */
export function browserSuite(env: Record<string, string> = {}): BrowserSuite {
  const started: { herald?: Herald; browser?: Browser } = {};
  beforeAll(async () => {
    [started.herald, started.browser] = await Promise.all([startHerald(env), launchChromium()]);
  });
  afterAll(async () => {
    await started.browser?.close();
    await started.herald?.stop();
  });
  const get = <K extends 'herald' | 'browser'>(key: K) => {
    const value = started[key];
    if (!value) throw new Error(`the ${key} has not started (used outside a test?)`);
    return value as NonNullable<(typeof started)[K]>;
  };
  return {
    get herald() {
      return get('herald');
    },
    get browser() {
      return get('browser');
    },
    async newPage(options) {
      const context = await get('browser').newContext(options);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
      return { context, page, errors };
    },
  };
}

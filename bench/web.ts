// The dashboard's weight and speed: builds it, reports the JavaScript the first page load needs
// (gzipped; target under 250 KB), then starts Herald and measures in headless Chromium how long
// the login page takes to render (cold cache and warm), and appends the figures to
// bench/RESULTS.md.
//
//   npm run bench:web
//   npm run bench:web -- --runs 20 --no-append
//
// Flags: --runs n (page loads per cache state, default 15), --no-build (measure web/dist as it
// is), --note text, --no-append. CHROMIUM_PATH overrides /usr/bin/chromium.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

import { chromium } from 'playwright-core';

import { machineInfo } from './lib/machine.ts';
import { appendResults, markdownTable, median } from './lib/results.ts';
import { REPO_ROOT, startServer } from './lib/server.ts';

const TARGET_GZIP_KB = 250;
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    'no-build': { type: 'boolean', default: false },
    note: { type: 'string' },
    'no-append': { type: 'boolean', default: false },
  },
});
const runs = Number(flags.runs);
const dist = path.join(REPO_ROOT, 'web/dist');

let buildMs: number | undefined;
if (!flags['no-build']) {
  const manifest = createRequire(import.meta.url).resolve('vite/package.json');
  const vite = path.join(path.dirname(manifest), 'bin', 'vite.js');
  const started = performance.now();
  execFileSync(
    process.execPath,
    [vite, 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'],
    {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    },
  );
  buildMs = performance.now() - started;
}

/** The files index.html makes the browser fetch before the app can start. */
function initialFiles(): { js: string[]; css: string[] } {
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const attr = (pattern: RegExp) => [...html.matchAll(pattern)].map((match) => match[1] ?? '');
  return {
    js: [
      ...attr(/<script[^>]+type="module"[^>]+src="([^"]+)"/g),
      ...attr(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g),
    ],
    css: attr(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/g),
  };
}

function sizes(files: string[]): { raw: number; gzip: number } {
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    const content = readFileSync(path.join(dist, file));
    raw += statSync(path.join(dist, file)).size;
    gzip += gzipSync(content, { level: 9 }).length;
  }
  return { raw, gzip };
}

const initial = initialFiles();
const js = sizes(initial.js);
const css = sizes(initial.css);
const kb = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;

// Time to first render of /login: from navigation start until the "Sign in" heading is in the
// DOM (recorded in the page by a MutationObserver, so no test-driver round trip is counted),
// and the browser's own first-contentful-paint. The page first asks /auth/refresh (no cookie:
// 401) before it renders, exactly as a real visit does.
const RECORD_RENDER = `
  new MutationObserver((_, observer) => {
    const heading = document.querySelector('h1');
    if (heading && heading.textContent === 'Sign in') {
      window.__loginRenderedAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
`;

interface LoadFigures {
  renderMs: number;
  fcpMs: number;
}

const server = await startServer({ env: { LOG_LEVEL: 'warn' } });
const browser = await chromium.launch({
  executablePath: CHROMIUM_PATH,
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
  ],
});
const cold: LoadFigures[] = [];
const warm: LoadFigures[] = [];
try {
  const measure = async (page: import('playwright-core').Page): Promise<LoadFigures> => {
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    // The paint entry is recorded just after the frame; wait for it rather than read too early.
    await page.waitForFunction(
      () => performance.getEntriesByName('first-contentful-paint').length > 0,
      undefined,
      { timeout: 10_000 },
    );
    return page.evaluate(() => {
      // Runs in the page: globalThis is its window.
      const rendered = (globalThis as { __loginRenderedAt?: number }).__loginRenderedAt;
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      return { renderMs: rendered ?? Number.NaN, fcpMs: fcp?.startTime ?? Number.NaN };
    });
  };
  // One throwaway load so the server's first-request costs are not counted.
  {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await context.close();
  }
  for (let run = 0; run < runs; run++) {
    const context = await browser.newContext(); // an empty cache: a first visit
    await context.addInitScript(RECORD_RENDER);
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    cold.push(await measure(page));
    await page.reload(); // the same visitor again: assets from the cache
    warm.push(await measure(page));
    await context.close();
  }
} finally {
  await browser.close();
  const code = await server.stop();
  if (code === 0) server.cleanup();
  else process.stderr.write(`server exited with ${code}; see ${server.logFile}\n`);
}

const ms = (value: number) => `${Math.round(value)} ms`;
const p90 = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.9) - 1)] ?? Number.NaN;
};

const sizeTable = markdownTable(
  ['initial load', 'files', 'raw', 'gzip (level 9)', 'target'],
  [
    [
      'JavaScript',
      initial.js.length,
      `${kb(js.raw)} KB`,
      `${kb(js.gzip)} KB`,
      `< ${TARGET_GZIP_KB} KB ${kb(js.gzip) < TARGET_GZIP_KB ? 'met' : 'MISSED'}`,
    ],
    ['CSS', initial.css.length, `${kb(css.raw)} KB`, `${kb(css.gzip)} KB`, ''],
  ],
);
const renderTable = markdownTable(
  ['/login in headless Chromium', 'runs', 'rendered p50', 'rendered p90', 'FCP p50', 'FCP p90'],
  (
    [
      ['cold cache (first visit)', cold],
      ['warm cache (reload)', warm],
    ] as const
  ).map(([label, figures]) => [
    label,
    figures.length,
    ms(median(figures.map((f) => f.renderMs))),
    ms(p90(figures.map((f) => f.renderMs))),
    ms(median(figures.map((f) => f.fcpMs))),
    ms(p90(figures.map((f) => f.fcpMs))),
  ]),
);

const chromiumVersion = (() => {
  try {
    return execFileSync(CHROMIUM_PATH, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'Chromium (version unknown)';
  }
})();
const settings = [
  `initial JavaScript = the entry script and modulepreloads named by web/dist/index.html; other pages load on demand`,
  `"rendered" = navigation start to the "Sign in" heading in the DOM, which includes the page's /auth/refresh round trip (401 without a cookie); FCP = first-contentful-paint`,
  `${chromiumVersion}, headless, loopback; Herald is \`node src/main.ts serve\` (NODE_ENV=production) on a fresh embedded database`,
  ...(buildMs === undefined ? [] : [`vite build: ${ms(buildMs)}`]),
  ...(flags.note ? [flags.note] : []),
];
const body = [settings.map((line) => `- ${line}`).join('\n'), '', sizeTable, '', renderTable].join(
  '\n',
);

process.stdout.write(`\n${body}\n`);
if (!flags['no-append']) {
  appendResults('Dashboard size and first render (bench/web.ts)', machineInfo(), body);
  process.stdout.write('\nappended to bench/RESULTS.md\n');
}

// The browser tests: real Chromium against a real Herald process (see harness.ts). Run with
// `npm run test:browser` (which builds the dashboard first); they need Debian's chromium.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('../../', import.meta.url).pathname,
    include: ['test/browser/**/*.e2e.ts'],
    globalSetup: ['test/browser/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // expect.poll gives up after 1 s by default: a page that loads its list in 1.2 s under the
    // full suite's load failed CI (the outbox walk). Polls wait as long as Playwright's waits do.
    expect: { poll: { timeout: 15_000 } },
    // One server and one browser at a time: two cores are shared with the rest of the suite.
    fileParallelism: false,
    maxWorkers: 1,
    // No retries: a browser test that fails by timing is a bug to find (a business switch read a
    // stale route while the next page loaded; a scheduled publish waited for the wall clock).
  },
});

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
    // One server and one browser at a time: two cores are shared with the rest of the suite.
    fileParallelism: false,
    maxWorkers: 1,
    // Two browser flows flaked in about half of the CI runs after issue #11 (a business switch
    // and a scheduled publish timing out; root cause not found yet, see the session note): each
    // test signs up afresh, so a retry is a clean second attempt. Remove once it is found.
    retry: 2,
  },
});

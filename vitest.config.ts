import { defineConfig } from 'vitest/config';

import { sharedAlias } from './web/vite.config.ts';

export default defineConfig({
  // The dashboard's imports of src/shared, as in its build.
  resolve: { alias: sharedAlias },
  test: {
    // web/: dashboard component and hook tests (each file opts into happy-dom).
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.{ts,tsx}'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file builds its own apps on its own databases; two cores, so two at a time.
    maxWorkers: 2,
  },
});

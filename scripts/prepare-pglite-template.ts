// `npm install` runs this (postinstall): makes the initdb template a new embedded database starts
// from (src/platform/db/pglite-template.ts), so a first `npm start` skips initdb. Never fails the
// install: without a template the first start runs initdb itself.
import { existsSync } from 'node:fs';

import { pgliteTemplatePath, writePgliteTemplate } from '../src/platform/db/pglite-template.ts';

try {
  if (!existsSync(pgliteTemplatePath())) {
    const started = performance.now();
    const file = await writePgliteTemplate();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stdout.write(`herald: embedded database template ready (${seconds} s): ${file}\n`);
  }
} catch (error) {
  process.stdout.write(`herald: no embedded database template (${String(error)}); skipped\n`);
}

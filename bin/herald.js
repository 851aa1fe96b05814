#!/usr/bin/env -S node --max-semi-space-size=8 --heap-growing-percent=50 --liftoff-only
// Runs Herald from its TypeScript sources: Node 24 strips the types itself, no build step.
// Node's compile cache keeps the stripped and compiled modules between runs, which takes most of
// the module loading off a relaunch; it is switched on here, before Herald's modules load.
import { enableCompileCache, flushCompileCache, registerHooks } from 'node:module';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

try {
  // NODE_COMPILE_CACHE, when set, wins; NODE_DISABLE_COMPILE_CACHE=1 turns it off. A directory
  // that cannot be written (a read-only install) only means no cache.
  enableCompileCache?.(
    fileURLToPath(new URL('../node_modules/.cache/herald-compile', import.meta.url)),
  );
} catch {
  // no cache: start as before
}

// drizzle-orm's 108 modules import each other by relative path, and for each one Node reads the
// package's scope from its package.json (179 KB, mostly the exports map) again: ~0.5 s of CPU at
// every start. A relative import inside that package (plain ESM, "type": "module", no exports
// map applies) is its sibling file, so it is resolved here directly; everything else as usual.
registerHooks?.({
  resolve(specifier, context, nextResolve) {
    if (
      context.parentURL?.includes('/node_modules/drizzle-orm/') &&
      (specifier.startsWith('./') || specifier.startsWith('../'))
    ) {
      return {
        url: new URL(specifier, context.parentURL).href,
        format: 'module',
        shortCircuit: true,
      };
    }
    return nextResolve(specifier, context);
  },
});

const { main } = await import('../src/main.ts');
await main(process.argv.slice(2), process.env);
// Written now rather than at exit, so a process that is killed later still leaves the cache.
flushCompileCache?.();

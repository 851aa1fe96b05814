#!/usr/bin/env -S node --max-semi-space-size=8 --heap-growing-percent=50
// Runs Herald from its TypeScript sources: Node 24 strips the types itself, no build step.
import process from 'node:process';

import { main } from '../src/main.ts';

await main(process.argv.slice(2), process.env);

// The malformed-output corpus (malformed-outputs.json) and the schema its cases are judged by:
// a social post. Used by bench/ai.ts and by the repair tests.
import { readFileSync } from 'node:fs';

import { z } from 'zod';

export const CorpusPost = z.object({
  headline: z.string().min(1).max(120),
  body: z.string().min(1).max(2000),
  hashtags: z.array(z.string().min(1).max(40)).max(10),
  pinned: z.boolean().optional(),
});
export type CorpusPost = z.infer<typeof CorpusPost>;

const CorpusCase = z.object({
  id: z.string(),
  description: z.string(),
  output: z.string(),
  /** A careful human could make a valid post of it without guessing. */
  repairable: z.boolean(),
  /** The post it should become when repairable. */
  expected: CorpusPost.nullable(),
});
export type CorpusCase = z.infer<typeof CorpusCase>;

export function loadCorpus(): CorpusCase[] {
  const file = new URL('./malformed-outputs.json', import.meta.url);
  return z.object({ cases: z.array(CorpusCase) }).parse(JSON.parse(readFileSync(file, 'utf8')))
    .cases;
}

import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { CorpusPost, loadCorpus } from '../../bench/data/corpus.ts';
import { UNGROUNDED } from './contract.ts';
import { extractJson, parseModelOutput } from './parse.ts';

const Post = z.object({ title: z.string().min(1), tags: z.array(z.string()) });

describe('parseModelOutput', () => {
  it('takes strict JSON as is, without counting a repair', () => {
    expect(parseModelOutput('{"title":"a","tags":[]}', Post)).toEqual({
      ok: true,
      value: { title: 'a', tags: [] },
      repaired: false,
    });
  });

  it('says empty, unparseable or invalid, with what was wrong', () => {
    expect(parseModelOutput('  ', Post)).toMatchObject({ ok: false, reason: 'empty' });
    expect(parseModelOutput('{"title": ""}', Post)).toMatchObject({
      ok: false,
      reason: 'invalid',
      message: expect.stringContaining('tags') as string,
    });
  });

  it('says ungrounded when the only faults are statements the input does not support', () => {
    const Grounded = Post.superRefine((post, context) => {
      if (/\d/.test(post.title)) {
        context.addIssue({ code: 'custom', path: ['title'], params: UNGROUNDED, message: 'no' });
      }
    });
    expect(parseModelOutput('{"title":"37 ways","tags":[]}', Grounded)).toMatchObject({
      ok: false,
      reason: 'ungrounded',
    });
    // With another fault beside it, the answer is simply invalid.
    expect(parseModelOutput('{"title":"37 ways"}', Grounded)).toMatchObject({
      ok: false,
      reason: 'invalid',
    });
  });

  it('extracts the JSON-looking fence when there are several', () => {
    expect(extractJson('```\nnot json\n```\n```json\n{"a":1}\n```')).toBe('{"a":1}');
    expect(extractJson('Sure: {"a": {"b": 1}} and more text }')).toBe('{"a": {"b": 1}}');
  });
});

describe('the malformed-output corpus', () => {
  const corpus = loadCorpus();

  it('holds at least 50 cases, both repairable and not', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(50);
    expect(corpus.some((c) => c.repairable)).toBe(true);
    expect(corpus.some((c) => !c.repairable)).toBe(true);
  });

  it.each(corpus.filter((c) => c.repairable).map((c) => [c.id, c] as const))(
    'repairs %s',
    (_id, testCase) => {
      const outcome = parseModelOutput(testCase.output, CorpusPost);
      expect(outcome).toMatchObject({ ok: true, value: testCase.expected });
    },
  );

  it.each(corpus.filter((c) => !c.repairable).map((c) => [c.id, c] as const))(
    'refuses %s',
    (_id, testCase) => {
      expect(parseModelOutput(testCase.output, CorpusPost).ok).toBe(false);
    },
  );
});

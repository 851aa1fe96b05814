import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import type { AiRunner } from './contract.ts';
import { brandVoiceTask, contentPieceTask } from './tasks.ts';

describe('declared tasks', () => {
  it('gives an open task its schema per call and keeps the rest of its declaration', () => {
    const Body = z.object({ text: z.string() });
    const task = contentPieceTask.withOutput(Body);
    expect(task.output).toBe(Body);
    expect(task).toMatchObject({ name: 'content-piece', tier: 'fast' });
    expect(task.prompt).toBe(contentPieceTask.prompt);
    expect(task.builtin).toBe(contentPieceTask.builtin);
  });

  it('lets ai.run take only a declared task, with that task’s input (checked by tsc)', async () => {
    const runner: AiRunner = { run: () => Promise.reject(new Error('not called')) };
    const who = { businessId: 'b', userId: null };
    const calls = [
      // @ts-expect-error a task name, even spelt right, is not a declared task
      runner.run('brand-voice', { notes: '' }, who),
      // @ts-expect-error the AI layer sends the business profile; the input must not repeat it
      runner.run(brandVoiceTask, { notes: '', business: {} }, who),
      // @ts-expect-error an open task needs its schema (withOutput) before it can run
      runner.run(contentPieceTask, {}, who),
      runner.run(brandVoiceTask, { notes: '' }, who),
    ];
    for (const call of calls) await expect(call).rejects.toThrow('not called');
  });
});

// What a job needs from the AI layer: a validated value for a task, or a typed error.
// (src/ai implements it; modules depend on this shape only.)
import type { z } from 'zod';

export interface AiRunOptions<T> {
  schema: z.ZodType<T>;
  businessId: string;
  userId: string | null;
  tier: 'fast' | 'strong';
  jobId?: string;
}

export interface AiRunner {
  run<T>(task: string, input: Record<string, unknown>, options: AiRunOptions<T>): Promise<T>;
}

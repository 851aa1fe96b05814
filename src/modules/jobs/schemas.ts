import { z } from 'zod';

import { pageSchema } from '../../platform/http/pagination.ts';

export const JobStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
export type JobStatus = z.infer<typeof JobStatus>;

export const JOB_SUBJECT_TYPES = ['campaign', 'content', 'sequence'] as const;
export const JobSubject = z
  .object({
    type: z.enum(JOB_SUBJECT_TYPES),
    id: z.uuid(),
    name: z.string().nullable().describe('Null when it has been deleted since'),
  })
  .describe(
    'What the job works on or made: the campaign of a strategy or insight summary, the piece a generation writes, the sequence a draft became',
  )
  .meta({ id: 'JobSubject' });
export type JobSubject = z.infer<typeof JobSubject>;

export const Job = z
  .object({
    id: z.uuid(),
    businessId: z.uuid(),
    kind: z.string().meta({ example: 'ai.brand-voice' }),
    status: JobStatus,
    progress: z.number().int().min(0).max(100),
    progressMessage: z.string().nullable(),
    result: z.record(z.string(), z.unknown()).nullable(),
    error: z
      .object({ code: z.string(), message: z.string() })
      .nullable()
      .describe('Why the job failed, in words a marketer can act on'),
    createdAt: z.iso.datetime(),
    startedAt: z.iso.datetime().nullable(),
    finishedAt: z.iso.datetime().nullable(),
    subject: JobSubject.nullable()
      .optional()
      .describe(
        "On the business's job list only: what the job works on or made, named now (null for a job about the whole business, such as a brand voice or an import)",
      ),
  })
  .meta({ id: 'Job' });
export type Job = z.infer<typeof Job>;

export const JobEnvelope = z.object({ job: Job }).meta({ id: 'JobAccepted' });
export const JobParams = z.object({ jobId: z.uuid() });
/** Whose jobs are listed (the same shape as businesses' BusinessParams; jobs does not import it). */
export const JobOwnerParams = z.object({ businessId: z.uuid() });
export const JobEventsQuery = z.object({
  accessToken: z
    .string()
    .max(4096)
    .optional()
    .describe('For EventSource clients, which cannot send an Authorization header'),
});
export const JobPage = pageSchema(Job);

export const TERMINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

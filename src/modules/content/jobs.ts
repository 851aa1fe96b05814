// The content jobs. One piece: asks the AI (fast tier) for the piece on its platform, held to
// that platform's limits by the schema (an answer over a limit is retried with the violation fed
// back; if it never fits the job fails with AI_OUTPUT_INVALID and nothing changes). The text is
// saved as a new version; a piece that was approved or scheduled goes back to draft.
// Every draft of a campaign: writes each of its placeholders that has no text yet, one after the
// other with the same writer, reporting "3 of 12 pieces"; a piece that fails is recorded in the
// result and the job goes on with the next.
import { z } from 'zod';

import type { AiRunner } from '../../ai/contract.ts';
import { contentPieceTask } from '../../ai/tasks.ts';
import type { Database } from '../../platform/db/client.ts';
import { AppError } from '../../platform/http/errors.ts';
import { campaignJobSubject, createCampaignLookup } from '../campaigns/index.ts';
import { idField, type JobKind, type JobRunContext } from '../jobs/index.ts';
import { bodySchemaOf, LIMITS, type Platform } from './platforms.ts';
import { createContentRepository } from './repository.ts';
import type { ContentStatus } from './schemas.ts';
import { appendVersion, CONTENT_JOB, updatePiece, WRITE_ALL_JOB } from './service.ts';
import { statusAfterEdit } from './workflow.ts';

const ContentJobInput = z.object({ contentId: z.uuid(), notes: z.string().max(2000).optional() });
type ContentJobInput = z.infer<typeof ContentJobInput>;

const WriteAllJobInput = z.object({ campaignId: z.uuid() });
type WriteAllJobInput = z.infer<typeof WriteAllJobInput>;

type Deps = { db: Database; ai: AiRunner };

/** The job's context without its input: what writing one piece needs of whichever job runs it. */
type WriterContext = Omit<JobRunContext<unknown>, 'input' | 'progress'>;

/**
 * Writes one piece with the AI and saves the text as its next version. `onlyIfEmpty` leaves a
 * piece alone that got its text meanwhile (someone wrote it while the campaign's job ran).
 */
async function writePiece(
  deps: Deps,
  job: WriterContext,
  contentId: string,
  options: {
    notes?: string;
    onlyIfEmpty?: boolean;
    step?: (percent: number, message: string) => Promise<void>;
  },
): Promise<
  | { contentId: string; version: number; body: Record<string, unknown>; generatedBy: unknown }
  | undefined
> {
  const { jobId, businessId } = job;
  const step = options.step ?? (() => Promise.resolve());
  await step(10, 'Reading the brief');
  const piece = await createContentRepository(deps.db).find(businessId, contentId);
  if (!piece && options.onlyIfEmpty) return undefined; // deleted since the campaign's job began
  if (!piece) throw new Error('content vanished while its job was queued');
  const platform = piece.platform as Platform;
  const campaign = piece.campaignId
    ? await createCampaignLookup(deps.db).brief(businessId, piece.campaignId)
    : undefined;
  await step(30, `Writing the ${platform} piece`);
  const { value: body, generatedBy } = await deps.ai.run(
    contentPieceTask.withOutput(bodySchemaOf(platform)),
    {
      platform,
      contentType: piece.contentType,
      topic: piece.topic,
      callToAction: piece.callToAction,
      plannedDate: piece.plannedDate,
      limits: LIMITS[platform],
      ...(campaign ? { campaign } : {}),
      notes: options.notes ?? '',
    },
    job,
  );
  await step(90, 'Saving the new version');
  const version = await deps.db.transaction(async (tx) => {
    const repository = createContentRepository(tx);
    const current = await repository.find(businessId, piece.id, true);
    if (options.onlyIfEmpty && (!current || current.body)) return undefined;
    if (!current) throw new Error('content vanished while its job ran');
    const status = statusAfterEdit(current.status as ContentStatus);
    const next = await appendVersion(repository, current, body, { source: 'ai', jobId });
    // A rewrite that sends an approved piece back to draft is the move of whoever asked for it.
    await updatePiece(
      repository,
      current,
      { ...next, status, ...(status === current.status ? {} : { publishAt: null }) },
      job.userId,
    );
    return next.currentVersion;
  });
  return version === undefined ? undefined : { contentId: piece.id, version, body, generatedBy };
}

export function contentJob(deps: Deps): JobKind<ContentJobInput> {
  return {
    kind: CONTENT_JOB,
    input: ContentJobInput,
    timeLimitMs: 120_000,
    subject: {
      type: 'content',
      idOf: (job) => idField(job.input, 'contentId'),
      async names(businessId, ids) {
        const rows = await createContentRepository(deps.db).topics(businessId, ids);
        return new Map(rows.map((row) => [row.id, row.topic.trim() || 'Untitled piece']));
      },
    },
    async run(job) {
      const written = await writePiece(deps, job, job.input.contentId, {
        ...(job.input.notes === undefined ? {} : { notes: job.input.notes }),
        step: job.progress,
      });
      if (!written) throw new Error('unreachable: a single piece is always written');
      return { ...written, generatedBy: [written.generatedBy] };
    },
  };
}

/** Why a piece failed, in words the campaign page can show next to it. */
function failureOf(error: unknown): { code: string; message: string } {
  if (error instanceof AppError) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: 'Something went wrong while writing this piece' };
}

export function writeAllJob(deps: Deps): JobKind<WriteAllJobInput> {
  return {
    kind: WRITE_ALL_JOB,
    input: WriteAllJobInput,
    // Pieces are written one after the other; each takes up to a content job's two minutes.
    timeLimitMs: 60 * 60_000,
    subject: campaignJobSubject(deps.db),
    async run(job) {
      const { businessId, input, progress, signal } = job;
      const ids = await createContentRepository(deps.db).placeholdersWithoutText(
        businessId,
        input.campaignId,
      );
      const total = ids.length;
      const written: string[] = [];
      const skipped: string[] = [];
      const failed: { contentId: string; code: string; message: string }[] = [];
      const generatedBy: unknown[] = [];
      const plural = total === 1 ? 'piece' : 'pieces';
      await progress(total === 0 ? 100 : 1, `0 of ${total} ${plural}`);
      const stopped = () => signal.aborted; // read afresh: the time limit aborts it meanwhile
      for (const [index, contentId] of ids.entries()) {
        if (stopped()) break;
        try {
          const piece = await writePiece(deps, job, contentId, { onlyIfEmpty: true });
          if (piece) {
            written.push(contentId);
            generatedBy.push(piece.generatedBy);
          } else {
            skipped.push(contentId);
          }
        } catch (error) {
          if (stopped()) throw error;
          failed.push({ contentId, ...failureOf(error) });
        }
        const done = index + 1;
        await progress(Math.round((done / total) * 100), `${done} of ${total} ${plural}`);
      }
      return { campaignId: input.campaignId, total, written, skipped, failed, generatedBy };
    },
  };
}

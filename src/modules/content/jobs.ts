// The content job: asks the AI (fast tier) for one piece on its platform, held to that
// platform's limits by the schema (an answer over a limit is retried with the violation fed
// back; if it never fits the job fails with AI_OUTPUT_INVALID and nothing changes). The text is
// saved as a new version; a piece that was approved or scheduled goes back to draft.
import { z } from 'zod';

import type { AiRunner } from '../../ai/contract.ts';
import { contentPieceTask } from '../../ai/tasks.ts';
import type { Database } from '../../platform/db/client.ts';
import { createCampaignLookup } from '../campaigns/index.ts';
import { idField, type JobKind } from '../jobs/index.ts';
import { bodySchemaOf, LIMITS, type Platform } from './platforms.ts';
import { createContentRepository } from './repository.ts';
import type { ContentStatus } from './schemas.ts';
import { appendVersion, CONTENT_JOB } from './service.ts';
import { statusAfterEdit } from './workflow.ts';

const ContentJobInput = z.object({ contentId: z.uuid(), notes: z.string().max(2000).optional() });
type ContentJobInput = z.infer<typeof ContentJobInput>;

export function contentJob(deps: { db: Database; ai: AiRunner }): JobKind<ContentJobInput> {
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
      const { jobId, businessId, input, progress } = job;
      await progress(10, 'Reading the brief');
      const piece = await createContentRepository(deps.db).find(businessId, input.contentId);
      if (!piece) throw new Error('content vanished while its job was queued');
      const platform = piece.platform as Platform;
      const campaign = piece.campaignId
        ? await createCampaignLookup(deps.db).brief(businessId, piece.campaignId)
        : undefined;
      await progress(30, `Writing the ${platform} piece`);
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
          notes: input.notes ?? '',
        },
        job,
      );
      await progress(90, 'Saving the new version');
      const version = await deps.db.transaction(async (tx) => {
        const repository = createContentRepository(tx);
        const current = await repository.find(businessId, piece.id, true);
        if (!current) throw new Error('content vanished while its job ran');
        const status = statusAfterEdit(current.status as ContentStatus);
        const next = await appendVersion(repository, current, body, { source: 'ai', jobId });
        await repository.update(businessId, piece.id, {
          ...next,
          status,
          ...(status === current.status ? {} : { publishAt: null }),
        });
        return next.currentVersion;
      });
      return { contentId: piece.id, version, body, generatedBy: [generatedBy] };
    },
  };
}

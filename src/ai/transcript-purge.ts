// The hourly purge of model-call transcripts: a background loop wherever jobs are consumed that
// deletes those older than AI_TRANSCRIPT_RETENTION_DAYS. Several processes may run it at once;
// a transcript deleted twice is simply not there the second time.
import { pollingLoop } from '../platform/background-loop.ts';
import type { Logger } from '../platform/logger.ts';
import type { BackgroundLoop } from '../platform/queue.ts';

export function transcriptPurgeLoop(
  ai: { purgeTranscripts(before: Date): Promise<number> },
  deps: { retentionDays: number; intervalMs: number; logger: Logger; now?: () => Date },
): BackgroundLoop {
  const now = deps.now ?? (() => new Date());
  return pollingLoop({
    name: 'ai-transcript-purge',
    intervalMs: deps.intervalMs,
    logger: deps.logger,
    failureMessage: 'ai transcript purge failed',
    round: async () => {
      const before = new Date(now().getTime() - deps.retentionDays * 86_400_000);
      const deleted = await ai.purgeTranscripts(before);
      if (deleted > 0) deps.logger.info({ deleted, before }, 'ai transcripts purged');
      return false;
    },
  });
}

// Labels an AI job's result with what produced it — `generatedBy: [{ provider, model }]` — so
// the API and the dashboard can say "builtin" (templates, not a model) or name the real model.
// Wraps any job kind; the job's own code stays unaware of it.
import type { JobKind } from '../modules/jobs/service.ts';
import type { Ai } from './run.ts';

export function withAiProvenance<Input>(
  kind: JobKind<Input>,
  ai: Pick<Ai, 'provenance'>,
): JobKind<Input> {
  return {
    ...kind,
    async run(context) {
      ai.provenance.begin(context.jobId);
      try {
        const result = await kind.run(context);
        const seen = new Map(
          ai.provenance.end(context.jobId).map((p) => [`${p.provider}/${p.model}`, p]),
        );
        return { ...result, generatedBy: [...seen.values()] };
      } finally {
        ai.provenance.end(context.jobId);
      }
    },
  };
}

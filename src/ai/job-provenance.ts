// Wraps an AI job kind so that (1) its result names what produced it —
// `generatedBy: [{ provider, model }]`, so the API and the dashboard can say `builtin`
// (templates, not a model) or name the real model — and (2) its model calls stop at the job's
// time limit. The job's own code stays unaware of both: ai.run finds the job by its jobId.
import type { JobKind } from '../modules/jobs/service.ts';
import type { Ai } from './run.ts';

export function withAiProvenance<Input>(
  kind: JobKind<Input>,
  ai: Pick<Ai, 'jobScope'>,
): JobKind<Input> {
  return {
    ...kind,
    async run(context) {
      ai.jobScope.begin(context.jobId, context.signal);
      try {
        const result = await kind.run(context);
        const answeredBy = ai.jobScope.end(context.jobId);
        const unique = new Map(answeredBy.map((p) => [`${p.provider}/${p.model}`, p]));
        return { ...result, generatedBy: [...unique.values()] };
      } finally {
        ai.jobScope.end(context.jobId);
      }
    },
  };
}

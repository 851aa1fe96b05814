// "Draft with AI": starts the sequence-draft job (goal, number of steps, cadence), shows its
// progress from the event stream, and links to the saved draft when it ends. A reload finds the
// running job again from the business's job list, so nothing is started twice.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type SubmitEvent, useEffect, useState } from 'react';
import { Link } from 'react-router';

import { idempotencyKey, unwrap } from '../../api/client';
import { useApi } from '../../api/context';
import { ApiError } from '../../api/errors';
import { isFinished } from '../../api/queries';
import { ErrorNotice } from '../../components/error-notice';
import { JobProgress, useRunningJob } from '../../components/job-progress';
import { Field } from '../../components/ui';
import { type GenerateSequenceBody, sequenceKeys } from './sequence-queries';

export const SEQUENCE_DRAFT_JOB = 'ai.sequence-draft';

export function DraftWithAi({ businessId }: { businessId: string }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const followed = useRunningJob(businessId, SEQUENCE_DRAFT_JOB);
  const { job } = followed;
  const [goal, setGoal] = useState('');
  const [steps, setSteps] = useState('3');
  const [cadence, setCadence] = useState('2');

  const succeeded = job?.status === 'succeeded';
  useEffect(() => {
    if (succeeded) void queryClient.invalidateQueries({ queryKey: sequenceKeys.list(businessId) });
  }, [succeeded, businessId, queryClient]);

  const start = useMutation({
    mutationFn: (body: GenerateSequenceBody) =>
      unwrap(
        api.POST('/api/v1/businesses/{businessId}/sequences/generate', {
          params: { path: { businessId } },
          body,
          headers: { 'idempotency-key': idempotencyKey() },
        }),
      ),
    onSuccess: (accepted) => {
      followed.follow(accepted.job.id);
    },
  });

  function submit(event: SubmitEvent) {
    event.preventDefault();
    start.mutate({ goal: goal.trim(), steps: Number(steps), cadenceDays: Number(cadence) });
  }

  const fields = start.error instanceof ApiError ? start.error.fieldErrors() : {};
  const inProgress = job !== null && !isFinished(job);
  const draftId =
    succeeded && typeof job.result?.sequenceId === 'string' ? job.result.sequenceId : null;
  const stepCount = typeof job?.result?.stepCount === 'number' ? job.result.stepCount : null;

  return (
    <section className="card" aria-labelledby="draft-ai-title" data-testid="draft-with-ai">
      <h2 id="draft-ai-title">Draft with AI</h2>
      <p className="muted small">
        Herald writes every step in your brand voice and saves it as a draft; nothing is sent until
        you review and activate it.
      </p>
      {!inProgress && (
        <form className="form" onSubmit={submit}>
          <Field
            label="Goal of the sequence"
            hint="For example: welcome new customers and bring them back within two weeks"
            error={fields.goal}
          >
            {({ id, describedBy, invalid }) => (
              <textarea
                id={id}
                rows={3}
                required
                minLength={3}
                maxLength={1000}
                value={goal}
                aria-invalid={invalid}
                aria-describedby={describedBy}
                onChange={(event) => {
                  setGoal(event.target.value);
                }}
              />
            )}
          </Field>
          <div className="seq-row">
            <Field label="Emails" error={fields.steps}>
              {({ id, describedBy, invalid }) => (
                <input
                  id={id}
                  type="number"
                  min={1}
                  max={10}
                  required
                  value={steps}
                  aria-invalid={invalid}
                  aria-describedby={describedBy}
                  onChange={(event) => {
                    setSteps(event.target.value);
                  }}
                />
              )}
            </Field>
            <Field label="Days between emails" error={fields.cadenceDays}>
              {({ id, describedBy, invalid }) => (
                <input
                  id={id}
                  type="number"
                  min={0}
                  max={60}
                  required
                  value={cadence}
                  aria-invalid={invalid}
                  aria-describedby={describedBy}
                  onChange={(event) => {
                    setCadence(event.target.value);
                  }}
                />
              )}
            </Field>
          </div>
          <div className="form-actions">
            <button type="submit" className="button primary" disabled={start.isPending}>
              {start.isPending ? 'Starting…' : 'Draft with AI'}
            </button>
          </div>
        </form>
      )}
      {start.isError && Object.keys(fields).length === 0 && (
        <ErrorNotice error={start.error} title="The draft could not start" />
      )}
      <JobProgress
        job={job}
        error={followed.error}
        label="Sequence draft progress"
        failedTitle="The AI could not finish this draft"
      />
      {draftId && (
        <p className="notice info" role="status" data-testid="draft-ready">
          <span>
            Draft saved{stepCount !== null ? ` (${String(stepCount)} emails)` : ''}.{' '}
            <Link to={`/businesses/${businessId}/sequences/${draftId}`}>Review the draft</Link>
          </span>
        </p>
      )}
    </section>
  );
}

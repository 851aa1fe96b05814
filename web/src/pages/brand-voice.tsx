// "Suggest a brand voice": starts the AI job, shows its progress from the event stream, and
// offers the result to apply. A reload mid-generation finds the running job again from the
// server (the business's job list), so nothing is started twice and no progress is lost.
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';

import { idempotencyKey, unwrap } from '../api/client';
import { useApi } from '../api/context';
import { type Business, isFinished, type Job, useUpdateBusiness } from '../api/queries';
import type { components } from '../api/schema';
import { ErrorNotice } from '../components/error-notice';
import { AiNotesAndStart, JobProgress, useRunningJob } from '../components/job-progress';

export const BRAND_VOICE_JOB = 'ai.brand-voice';
type Suggestion = components['schemas']['BrandVoiceSuggestion'];

/** The suggestion inside a finished job's result, if it has the documented shape. */
export function suggestionOf(job: Job | null): Suggestion | null {
  const value = job?.result?.suggestion;
  if (typeof value !== 'object' || value === null) return null;
  const candidate = value as Partial<Suggestion>;
  const strings = (list: unknown) =>
    Array.isArray(list) && list.every((item) => typeof item === 'string');
  return typeof candidate.tone === 'string' &&
    strings(candidate.wordsToUse) &&
    strings(candidate.wordsToAvoid) &&
    strings(candidate.sampleLines)
    ? (candidate as Suggestion)
    : null;
}

export function BrandVoiceAssistant({ business }: { business: Business }) {
  const api = useApi();
  const followed = useRunningJob(business.id, BRAND_VOICE_JOB);
  const { job } = followed;
  const [notes, setNotes] = useState('');
  const [dismissed, setDismissed] = useState(false);
  const start = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/businesses/{businessId}/ai/brand-voice', {
          params: { path: { businessId: business.id } },
          body: notes.trim() ? { notes: notes.trim() } : {},
          headers: { 'idempotency-key': idempotencyKey() },
        }),
      ),
    onMutate: () => {
      setDismissed(false);
    },
    onSuccess: (accepted) => {
      followed.follow(accepted.job.id);
    },
  });
  const suggest = () => {
    start.mutate();
  };

  const inProgress = job !== null && !isFinished(job);
  const suggestion = job?.status === 'succeeded' ? suggestionOf(job) : null;

  return (
    <section className="card" aria-labelledby="voice-title" data-testid="brand-voice">
      <h2 id="voice-title">Suggest a brand voice</h2>
      <p className="muted small">
        Herald drafts a tone, words to use and avoid, and sample lines from this profile. Nothing
        changes until you apply it.
      </p>
      {!inProgress && (
        <AiNotesAndStart
          notesLabel="Notes for the AI (optional)"
          notesHint="Examples you like, words you never use…"
          notes={notes}
          onNotesChange={setNotes}
          startLabel={job ? 'Suggest again' : 'Suggest a brand voice'}
          starting={start.isPending}
          onStart={suggest}
        />
      )}
      {start.isError && (
        <ErrorNotice error={start.error} title="The suggestion could not start" onRetry={suggest} />
      )}
      <JobProgress
        job={job}
        error={followed.error}
        label="Brand voice suggestion progress"
        failedTitle="The AI could not finish this suggestion"
        onRetry={suggest}
      />
      {suggestion && !dismissed && (
        <SuggestionView
          business={business}
          suggestion={suggestion}
          onDismiss={() => {
            setDismissed(true);
          }}
        />
      )}
    </section>
  );
}

function SuggestionView(props: {
  business: Business;
  suggestion: Suggestion;
  onDismiss: () => void;
}) {
  const { suggestion } = props;
  const update = useUpdateBusiness(props.business.id);
  return (
    <div className="suggestion" data-testid="brand-voice-suggestion">
      <h3>Suggested voice</h3>
      <p>
        <strong>Tone:</strong> {suggestion.tone}
      </p>
      <p>
        <strong>Use:</strong> {suggestion.wordsToUse.join(', ')}
      </p>
      <p>
        <strong>Avoid:</strong> {suggestion.wordsToAvoid.join(', ')}
      </p>
      <ul className="samples">
        {suggestion.sampleLines.map((line) => (
          <li key={line}>“{line}”</li>
        ))}
      </ul>
      <p className="muted small">{suggestion.rationale}</p>
      {update.isError && <ErrorNotice error={update.error} title="The voice was not applied" />}
      {update.isSuccess ? (
        <p className="saved" role="status">
          Applied to the profile
        </p>
      ) : (
        <div className="form-actions">
          <button
            type="button"
            className="button primary"
            disabled={update.isPending}
            onClick={() => {
              update.mutate({
                brandVoice: {
                  tone: suggestion.tone,
                  wordsToUse: suggestion.wordsToUse,
                  wordsToAvoid: suggestion.wordsToAvoid,
                },
              });
            }}
          >
            Use this voice
          </button>
          <button type="button" className="button secondary" onClick={props.onDismiss}>
            Dismiss
          </button>
        </div>
      )}
    </div>
  );
}

// "Suggest a brand voice": starts the AI job, shows its progress from the event stream, and
// offers the result to apply. A reload mid-generation finds the running job again from the
// server (the business's job list), so nothing is started twice and no progress is lost; a
// suggestion that finished while the page was away is offered when it comes back, until the
// marketer applies or dismisses it.
// Whether a suggestion is in the profile is read from the server (the saved voice equals it), so
// it holds on every device. A dismissal is only a choice not to look at it again: it is kept in
// this browser, keyed by the business and the job, and another device may offer it once more.
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';

import { idempotencyKey, unwrap } from '../api/client';
import { useApi } from '../api/context';
import { type Business, isFinished, type Job, useJobs, useUpdateBusiness } from '../api/queries';
import type { components } from '../api/schema';
import { ErrorNotice } from '../components/error-notice';
import { AiNotesAndStart, JobProgress, useRunningJob } from '../components/job-progress';
import { formatDateTime } from '../components/ui';

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

type Review = 'applied' | 'dismissed';
const reviewKey = (businessId: string) => `herald.brand-voice.reviewed.${businessId}`;

/** The suggestion job this browser last applied or dismissed for the business, and which. */
function storedReview(businessId: string): { jobId: string; review: Review } | null {
  try {
    const [jobId, review] = (localStorage.getItem(reviewKey(businessId)) ?? '').split(' ');
    return jobId && (review === 'applied' || review === 'dismissed') ? { jobId, review } : null;
  } catch {
    return null; // storage disabled: a dismissal lasts for this visit only
  }
}

function storeReview(businessId: string, jobId: string, review: Review): void {
  try {
    localStorage.setItem(reviewKey(businessId), `${jobId} ${review}`);
  } catch {
    // storage disabled or full
  }
}

const sameWords = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((word, index) => word === b[index]);

/** Whether the profile's saved voice is this suggestion (it was applied, here or elsewhere). */
export function isApplied(voice: Business['brandVoice'], suggestion: Suggestion): boolean {
  return (
    voice.tone === suggestion.tone &&
    sameWords(voice.wordsToUse, suggestion.wordsToUse) &&
    sameWords(voice.wordsToAvoid, suggestion.wordsToAvoid)
  );
}

export function BrandVoiceAssistant({ business }: { business: Business }) {
  const api = useApi();
  const followed = useRunningJob(business.id, BRAND_VOICE_JOB);
  // The newest suggestion job, finished or not: one that ended while the page was away.
  const newest = useJobs(business.id).data?.items.find((job) => job.kind === BRAND_VOICE_JOB);
  const job = followed.job ?? (newest?.status === 'succeeded' ? newest : null);
  const [notes, setNotes] = useState('');
  const [review, setReview] = useState(() => storedReview(business.id));
  const [appliedHere, setAppliedHere] = useState<string | null>(null);
  const markReviewed = (jobId: string, outcome: Review) => {
    storeReview(business.id, jobId, outcome);
    setReview({ jobId, review: outcome });
  };
  const start = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/businesses/{businessId}/ai/brand-voice', {
          params: { path: { businessId: business.id } },
          body: notes.trim() ? { notes: notes.trim() } : {},
          headers: { 'idempotency-key': idempotencyKey() },
        }),
      ),
    onSuccess: (accepted) => {
      followed.follow(accepted.job.id);
    },
  });
  const suggest = () => {
    start.mutate();
  };

  const inProgress = job !== null && !isFinished(job);
  const suggestion = job?.status === 'succeeded' ? suggestionOf(job) : null;
  // Applied in this visit: stays on screen with its confirmation. Applied or dismissed before:
  // not offered again.
  const shown =
    job !== null &&
    suggestion !== null &&
    (appliedHere === job.id ||
      (review?.jobId !== job.id && !isApplied(business.brandVoice, suggestion)));

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
      {shown && (
        <SuggestionView
          key={job.id}
          business={business}
          suggestion={suggestion}
          finishedAt={job.finishedAt}
          onApplying={() => {
            setAppliedHere(job.id);
          }}
          onApplied={() => {
            markReviewed(job.id, 'applied');
          }}
          onDismiss={() => {
            markReviewed(job.id, 'dismissed');
          }}
        />
      )}
    </section>
  );
}

function SuggestionView(props: {
  business: Business;
  suggestion: Suggestion;
  finishedAt: string | null;
  /** Keeps the card (and its confirmation) on screen once the saved voice equals it. */
  onApplying: () => void;
  onApplied: () => void;
  onDismiss: () => void;
}) {
  const { suggestion } = props;
  const update = useUpdateBusiness(props.business.id);
  return (
    <div className="suggestion" data-testid="brand-voice-suggestion">
      <h3>Suggested voice</h3>
      {props.finishedAt && (
        <p className="muted small">Suggested {formatDateTime(props.finishedAt)}</p>
      )}
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
              props.onApplying();
              update
                .mutateAsync({
                  brandVoice: {
                    tone: suggestion.tone,
                    wordsToUse: suggestion.wordsToUse,
                    wordsToAvoid: suggestion.wordsToAvoid,
                  },
                })
                .then(props.onApplied, () => {
                  // shown by update.isError
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

// An AI job the page started, followed to its end through useJob (the event stream, then
// polling), and found again after a reload (instead of lost, or started twice): remembered in
// this browser under a key of the page's choosing, or looked up in the business's job list.
// JobProgress shows it while it runs and why it failed; AiNotesAndStart takes optional notes
// for the AI and starts one.
import { useState } from 'react';

import { isFinished, type Job, useJobs } from '../api/queries';
import { useJob } from '../hooks/use-job';
import { ErrorNotice } from './error-notice';
import { Field, ProgressBar } from './ui';

function stored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage disabled: the job is followed for this visit only
  }
}

function store(key: string, jobId: string | null): void {
  try {
    if (jobId) localStorage.setItem(key, jobId);
    else localStorage.removeItem(key);
  } catch {
    // storage disabled or full
  }
}

export interface FollowedJob {
  job: Job | null;
  error: unknown;
  /** Start following a job the server just accepted. */
  follow: (jobId: string) => void;
}

export interface TrackedJob extends FollowedJob {
  /** Stop showing the finished job (its result has been used). */
  forget: () => void;
}

/** The job stored under `storageKey` (e.g. `herald.job.strategy.<campaignId>`), followed live. */
export function useTrackedJob(storageKey: string): TrackedJob {
  const [jobId, setJobId] = useState<string | null>(() => stored(storageKey));
  const [trackedKey, setTrackedKey] = useState(storageKey);
  if (trackedKey !== storageKey) {
    setTrackedKey(storageKey);
    setJobId(stored(storageKey));
  }
  const { job, error } = useJob(jobId);
  return {
    job: job?.id === jobId ? job : null,
    error,
    follow: (id) => {
      store(storageKey, id);
      setJobId(id);
    },
    forget: () => {
      store(storageKey, null);
      setJobId(null);
    },
  };
}

/**
 * The business's newest running job of `kind` (e.g. `ai.brand-voice`), found in its job list after
 * a reload, or the job the page just started; followed live. Once found, a job is followed to its
 * end, even after the list (refreshed when it finishes) no longer calls it running. With
 * `subjectId`, only a job working on that thing (a campaign's "write all drafts").
 */
export function useRunningJob(businessId: string, kind: string, subjectId?: string): FollowedJob {
  const jobs = useJobs(businessId);
  const [followId, setFollowId] = useState<string | null>(null);
  const running = jobs.data?.items.find(
    (job) =>
      job.kind === kind &&
      !isFinished(job) &&
      (subjectId === undefined || job.subject?.id === subjectId),
  );
  if (followId === null && running) setFollowId(running.id);
  const jobId = followId ?? running?.id ?? null;
  const { job, error } = useJob(jobId, running?.id === jobId ? running : null);
  return { job, error, follow: setFollowId };
}

/** Progress of a running job, or why it failed, with the action to try again (if there is one). */
export function JobProgress(props: {
  job: Job | null;
  error: unknown;
  label: string;
  failedTitle: string;
  onRetry?: () => void;
}) {
  const { job } = props;
  if (!job) return null;
  if (!isFinished(job)) {
    return (
      <div className="job-progress" data-testid="job-progress" aria-live="polite">
        <ProgressBar value={job.progress} label={props.label} />
        <p>
          <strong>{job.progress}%</strong> · {job.progressMessage ?? 'Waiting for a worker…'}
        </p>
        <p className="muted small">
          You can leave or reload this page; the job keeps running and this page picks it up again.
        </p>
        {props.error !== null && (
          <ErrorNotice error={props.error} title="Lost track of the job for a moment" />
        )}
      </div>
    );
  }
  if (job.status === 'failed' || job.status === 'cancelled') {
    return (
      <div className="notice error" role="alert" data-testid="job-failed">
        <strong className="notice-title">{props.failedTitle}</strong>
        <p>{job.error?.message ?? 'The job failed.'}</p>
        {props.onRetry && (
          <button type="button" className="button secondary" onClick={props.onRetry}>
            Try again
          </button>
        )}
      </div>
    );
  }
  return null;
}

/** Optional notes for the AI and the button that starts its job. */
export function AiNotesAndStart(props: {
  notesLabel: string;
  notesHint: string;
  notes: string;
  onNotesChange: (notes: string) => void;
  startLabel: string;
  starting: boolean;
  onStart: () => void;
}) {
  return (
    <>
      <Field label={props.notesLabel} hint={props.notesHint}>
        {({ id, describedBy }) => (
          <textarea
            id={id}
            rows={2}
            maxLength={2000}
            value={props.notes}
            aria-describedby={describedBy}
            onChange={(event) => {
              props.onNotesChange(event.target.value);
            }}
          />
        )}
      </Field>
      <button
        type="button"
        className="button primary"
        disabled={props.starting}
        onClick={props.onStart}
      >
        {props.starting ? 'Starting…' : props.startLabel}
      </button>
    </>
  );
}

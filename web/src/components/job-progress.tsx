// An AI job the page started, followed to its end through useJob (the event stream, then
// polling), and remembered in this browser under a key of the page's choosing, so a reload
// finds the same job again instead of losing it or starting another.
import { useState } from 'react';

import { isFinished, type Job } from '../api/queries';
import { useJob } from '../hooks/use-job';
import { ErrorNotice } from './error-notice';
import { ProgressBar } from './ui';

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

export interface TrackedJob {
  job: Job | null;
  error: unknown;
  /** Start following a job the server just accepted. */
  follow: (jobId: string) => void;
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

/** Progress of a running job, or why it failed, with the action to try again. */
export function JobProgress(props: {
  job: Job | null;
  error: unknown;
  label: string;
  failedTitle: string;
  onRetry: () => void;
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
        <button type="button" className="button secondary" onClick={props.onRetry}>
          Try again
        </button>
      </div>
    );
  }
  return null;
}

// Follows one job to its end: the server-sent event stream first, polling when the stream
// cannot be opened or drops. A reload loses nothing: the page finds the job again from the
// server's list of jobs and calls this with its id.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';

import { unwrap } from '../api/client';
import { useApi } from '../api/context';
import { isAbort } from '../api/errors';
import { isFinished, type Job, keys } from '../api/queries';
import { readEvents } from '../api/sse';

const POLL_MS = 1_500;

export interface JobState {
  job: Job | null;
  /** The last failure to reach the job (the hook keeps trying until it ends). */
  error: unknown;
}

export function useJob(jobId: string | null, initial?: Job | null): JobState {
  const api = useApi();
  const queryClient = useQueryClient();
  const [state, setState] = useState<JobState>({ job: initial ?? null, error: null });
  const [trackedId, setTrackedId] = useState(jobId);
  if (trackedId !== jobId) {
    setTrackedId(jobId);
    setState({ job: initial ?? null, error: null });
  }

  useEffect(() => {
    if (!jobId) return;
    const controller = new AbortController();
    const { signal } = controller;
    const publish = (job: Job) => {
      setState({ job, error: null });
      queryClient.setQueryData(keys.job(job.id), job);
      if (isFinished(job)) {
        void queryClient.invalidateQueries({ queryKey: keys.jobs(job.businessId) });
      }
    };

    async function stream(id: string): Promise<boolean> {
      const response = await api.GET('/api/v1/jobs/{jobId}/events', {
        params: { path: { jobId: id } },
        parseAs: 'stream',
        headers: { accept: 'text/event-stream' },
        signal,
      });
      if (!response.response.ok || !response.data) return false;
      for await (const event of readEvents(response.data)) {
        if (event.event !== 'progress' && event.event !== 'done') continue;
        const job = JSON.parse(event.data) as Job;
        publish(job);
        if (event.event === 'done' || isFinished(job)) return true;
      }
      return false;
    }

    async function poll(id: string): Promise<void> {
      while (!signal.aborted) {
        try {
          const job = await unwrap(
            api.GET('/api/v1/jobs/{jobId}', { params: { path: { jobId: id } }, signal }),
          );
          publish(job);
          if (isFinished(job)) return;
        } catch (error) {
          if (isAbort(error)) return;
          setState((previous) => ({ ...previous, error }));
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    }

    void (async () => {
      try {
        if (await stream(jobId)) return;
      } catch (error) {
        if (isAbort(error) || signal.aborted) return;
      }
      await poll(jobId);
    })();

    return () => {
      controller.abort();
    };
  }, [api, jobId, queryClient]);

  return state;
}

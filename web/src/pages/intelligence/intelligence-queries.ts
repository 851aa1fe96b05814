// Server state of customer intelligence (TanStack Query): the latest run, the run history, one
// run, its churn-risk list; starting a run (a job); and the scores CSV, fetched with the session's
// token (the API needs it, so a plain link cannot download it) and saved from a Blob.
import { useMutation, useQuery } from '@tanstack/react-query';

import { idempotencyKey, unwrap } from '../../api/client';
import { useApi } from '../../api/context';
import type { components } from '../../api/schema';

export type IntelligenceRun = components['schemas']['IntelligenceRun'];
export type ModelCard = components['schemas']['ModelCard'];
export type RunFigures = components['schemas']['IntelligenceFigures'];
export type AtRiskCustomer = components['schemas']['AtRiskCustomer'];
export type RfmSegment = components['schemas']['RfmSegment'];

/** The job kind a run is started as (src/modules/intelligence/service.ts). */
export const INTELLIGENCE_RUN_JOB = 'intelligence.run';

export const intelligenceKeys = {
  all: (businessId: string) => ['business', businessId, 'intelligence'] as const,
  latest: (businessId: string) => ['business', businessId, 'intelligence', 'latest'] as const,
  runs: (businessId: string) => ['business', businessId, 'intelligence', 'runs'] as const,
  run: (businessId: string, runId: string) =>
    ['business', businessId, 'intelligence', 'run', runId] as const,
  atRisk: (businessId: string, runId: string) =>
    ['business', businessId, 'intelligence', 'at-risk', runId] as const,
};

export function useLatestRun(businessId: string) {
  const api = useApi();
  return useQuery({
    queryKey: intelligenceKeys.latest(businessId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/intelligence/latest', {
          params: { path: { businessId } },
          signal,
        }),
      ),
  });
}

export function useRuns(businessId: string) {
  const api = useApi();
  return useQuery({
    queryKey: intelligenceKeys.runs(businessId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/intelligence/runs', {
          params: { path: { businessId }, query: { limit: 20 } },
          signal,
        }),
      ),
  });
}

export function useRun(businessId: string, runId: string | null) {
  const api = useApi();
  return useQuery({
    queryKey: intelligenceKeys.run(businessId, runId ?? 'none'),
    enabled: runId !== null,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/intelligence/runs/{runId}', {
          params: { path: { businessId, runId: runId ?? '' } },
          signal,
        }),
      ),
  });
}

export function useAtRisk(businessId: string, runId: string, enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: intelligenceKeys.atRisk(businessId, runId),
    enabled,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/intelligence/runs/{runId}/at-risk', {
          params: { path: { businessId, runId }, query: { limit: 25 } },
          signal,
        }),
      ),
  });
}

export function useStartRun(businessId: string) {
  const api = useApi();
  return useMutation({
    mutationFn: (asOf: string | null) =>
      unwrap(
        api.POST('/api/v1/businesses/{businessId}/intelligence/runs', {
          params: { path: { businessId } },
          headers: { 'idempotency-key': idempotencyKey() },
          // The server's defaults, spelled out: the generated body type marks them required.
          body: { ...(asOf ? { asOf } : {}), horizonDays: 365, annualDiscountRate: 0.1 },
        }),
      ),
  });
}

/** Fetches the run's scores CSV with the session's token and hands it to the browser as a file. */
export function useDownloadScores(businessId: string, runId: string) {
  const api = useApi();
  return useMutation({
    mutationFn: async () => {
      const blob = await unwrap(
        api.GET('/api/v1/businesses/{businessId}/intelligence/runs/{runId}/scores.csv', {
          params: { path: { businessId, runId } },
          parseAs: 'blob',
        }),
      );
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = `customer-scores-${runId}.csv`;
      document.body.append(link);
      link.click();
      link.remove();
      // The click has handed the file over; the URL can go once this task ends.
      setTimeout(() => {
        URL.revokeObjectURL(url);
      }, 0);
    },
  });
}

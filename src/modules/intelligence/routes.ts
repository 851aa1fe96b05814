// /api/v1/businesses/{businessId}/intelligence: start a run (a job), list the runs, read one or
// the latest, and download a run's per-customer scores as CSV.
import { z } from 'zod';

import { principalOf } from '../../platform/http/auth-guard.ts';
import { errorResponses } from '../../platform/http/errors.ts';
import type { App } from '../../platform/http/types.ts';
import { JobEnvelope } from '../jobs/index.ts';
import {
  AtRiskList,
  AtRiskQuery,
  BusinessParams,
  IntelligenceRun,
  LatestRun,
  RunListQuery,
  RunOptions,
  RunPage,
  RunParams,
} from './schemas.ts';
import type { IntelligenceService } from './service.ts';

const base = '/api/v1/businesses/:businessId/intelligence';

export function intelligenceRoutes(app: App, deps: { intelligence: IntelligenceService }): void {
  const { intelligence } = deps;

  app.post(
    `${base}/runs`,
    {
      config: { permission: 'content.write', idempotent: true },
      schema: {
        tags: ['intelligence'],
        summary: 'Fit the models and score every customer (a job)',
        description:
          'Answers 202 with the job; poll GET /api/v1/jobs/{jobId} (or its SSE stream). Its result is `{ runId, status }`. Only orders on or before `asOf` (a calendar day in the business’s time zone; default today) count. RFM always; BG/NBD churn risk, expected purchases, Gamma-Gamma order value and CLV over `horizonDays`, discounted monthly at `annualDiscountRate`, when there is enough data (the model card says why not otherwise).',
        params: BusinessParams,
        body: RunOptions,
        response: { 202: JobEnvelope, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const job = await intelligence.start(
        principalOf(request),
        request.params.businessId,
        request.body,
      );
      return reply.status(202).send({ job });
    },
  );

  app.get(
    `${base}/runs`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['intelligence'],
        summary: 'List the runs, newest first',
        params: BusinessParams,
        querystring: RunListQuery,
        response: { 200: RunPage, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      intelligence.list(principalOf(request), request.params.businessId, request.query),
  );

  app.get(
    `${base}/latest`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['intelligence'],
        summary: 'The latest succeeded run (the one the customer scores come from)',
        params: BusinessParams,
        response: { 200: LatestRun, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => ({
      run: await intelligence.latest(principalOf(request), request.params.businessId),
    }),
  );

  app.get(
    `${base}/runs/:runId`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['intelligence'],
        summary: 'One run: its model card and figures',
        params: RunParams,
        response: { 200: IntelligenceRun, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      intelligence.get(principalOf(request), request.params.businessId, request.params.runId),
  );

  app.get(
    `${base}/runs/:runId/at-risk`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['intelligence'],
        summary: 'The churn-risk list: customers in the high tier, most valuable first',
        description:
          'Customers whose churn risk (1 − P(alive)) is 0.7 or more, by CLV, highest first. Empty when the run had too little data to predict; 409 when newer runs have replaced this run’s scores.',
        params: RunParams,
        querystring: AtRiskQuery,
        response: { 200: AtRiskList, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) =>
      intelligence.atRisk(
        principalOf(request),
        request.params.businessId,
        request.params.runId,
        request.query.limit,
      ),
  );

  app.get(
    `${base}/runs/:runId/scores.csv`,
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['intelligence'],
        summary: 'The run’s per-customer scores as CSV (streamed)',
        description:
          'Columns: `userId,email,frequency,recency,T,monetary,rfmSegment,pAlive,churnRisk,expectedPurchases,expectedOrderValue,clv`. frequency is repeat purchase days, recency and T are days (first purchase to last, and to the as-of day), money in major units; the predictive columns are empty when the run had too little data. 409 when newer runs have replaced this run’s scores.',
        params: RunParams,
        response: {
          200: z.string().describe('text/csv, one row per scored customer'),
          ...errorResponses(400, 401, 403, 404, 409, 429),
        },
      },
    },
    async (request, reply) => {
      const { businessId, runId } = request.params;
      const csv = await intelligence.scoresCsv(principalOf(request), businessId, runId);
      return (
        reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="scores-${runId}.csv"`)
          // A Readable is piped as it is, never serialised: the CSV streams a page at a time.
          .send(csv as unknown as string)
      );
    },
  );
}

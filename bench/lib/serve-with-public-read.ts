// What `herald serve` runs (the same runtime, app and in-process worker) plus two routes that only
// benchmarks have: the queue-probe page of GET /api/v1/system/queue-probes and the campaigns page
// read through the same services, but without authentication (the user is named in the query).
// bench/http.ts compares them with the real routes to report what authentication costs per
// request. Never part of the product.
import { z } from 'zod';

import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { CampaignListQuery, CampaignPage } from '../../src/modules/campaigns/schemas.ts';
import { QueueProbePage } from '../../src/modules/system/schemas.ts';
import { PaginationQuery } from '../../src/platform/http/pagination.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { createRuntime } from '../../src/runtime.ts';

const config = loadConfig(process.env);
const logger = createLogger(config.log);
const runtime = await createRuntime(config, logger);
const app = await buildApp({ ...runtime });

app.get(
  '/bench/queue-probes',
  {
    // Public, but counted by the same limiter (per address instead of per user).
    config: { auth: 'public', rateLimit: 'general' },
    schema: {
      hide: true,
      querystring: PaginationQuery.extend({ userId: z.uuid() }),
      response: { 200: QueueProbePage },
    },
  },
  async (request) => {
    const { userId, ...page } = request.query;
    return runtime.services.system.listQueueProbes({ userId, via: 'jwt', scopes: ['read'] }, page);
  },
);

// The campaigns page of GET /api/v1/businesses/{businessId}/campaigns, the same way.
app.get(
  '/bench/campaigns',
  {
    config: { auth: 'public', rateLimit: 'general' },
    schema: {
      hide: true,
      querystring: CampaignListQuery.extend({ userId: z.uuid(), businessId: z.uuid() }),
      response: { 200: CampaignPage },
    },
  },
  async (request) => {
    const { userId, businessId, ...query } = request.query;
    return runtime.services.campaigns.list(
      { userId, via: 'jwt', scopes: ['read'] },
      businessId,
      query,
    );
  },
);

process.once('SIGTERM', () => {
  void app
    .close()
    .then(() => runtime.close())
    .then(() => process.exit(0));
});
await runtime.queue.work(runtime.jobs);
await app.listen({ port: config.http.port, host: config.http.host });
logger.info({ db: runtime.database.kind }, 'herald listening (with the bench-only public read)');

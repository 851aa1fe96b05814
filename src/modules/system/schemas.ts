import { z } from 'zod';

import { pageSchema } from '../../platform/http/pagination.ts';

const ComponentStatus = z.enum(['ok', 'degraded', 'down', 'not_configured']);

export const HealthReport = z
  .object({
    status: z.enum(['ok', 'degraded', 'down']),
    version: z.string(),
    uptimeSeconds: z.number(),
    components: z.object({
      database: z.object({
        status: ComponentStatus,
        kind: z.enum(['pglite', 'postgres']),
        latencyMs: z.number().nullable(),
        pendingMigrations: z.number().int().nullable(),
        vector: z.boolean(),
        error: z.string().optional(),
      }),
      queue: z.object({ status: ComponentStatus, error: z.string().optional() }),
      cache: z.object({
        status: ComponentStatus,
        kind: z.enum(['memory', 'redis']),
        error: z.string().optional(),
      }),
      llm: z.object({
        status: ComponentStatus,
        provider: z.string(),
        note: z.string().optional(),
      }),
      breakers: z.record(z.string(), z.enum(['closed', 'open', 'half-open', 'isolated'])),
      mcp: z
        .object({
          status: ComponentStatus,
          enabled: z.boolean().describe('Whether /mcp is served (MCP_ENABLED)'),
          path: z.string().nullable().describe('Where the Streamable HTTP endpoint is'),
        })
        .optional()
        .describe('The MCP server (Streamable HTTP); `herald mcp` over stdio forwards to it'),
    }),
    ingestion: z
      .object({
        status: z.enum(['ok', 'degraded']),
        acceptedLastMinute: z.number().int().describe('Events stored by this process'),
        rejectedLastMinute: z.number().int().describe('Events refused (invalid or too large)'),
        pendingEvents: z.number().int().describe('Received, not yet committed'),
        writeLagMs: z.number().describe('How long the oldest pending event has waited'),
        processingLagSeconds: z
          .number()
          .nullable()
          .describe('Age of the oldest event the customer processor has not handled yet'),
      })
      .optional()
      .describe('The Segment API write path'),
  })
  .meta({ id: 'HealthReport' });
export type HealthReport = z.infer<typeof HealthReport>;

export const Liveness = z.object({ status: z.literal('ok') });
export const Readiness = z.object({ status: z.enum(['ready']) });

export const QueueProbe = z
  .object({
    id: z.uuid(),
    note: z.string().nullable(),
    status: z.enum(['queued', 'processed']),
    requestedAt: z.iso.datetime(),
    processedAt: z.iso.datetime().nullable(),
    processedBy: z.string().nullable(),
    runCount: z.number().int(),
  })
  .meta({ id: 'QueueProbe' });
export type QueueProbe = z.infer<typeof QueueProbe>;

export const CreateQueueProbe = z.object({
  note: z.string().max(200).optional().describe('Free text to recognise the probe by'),
});

export const QueueProbeParams = z.object({ probeId: z.uuid() });
export const QueueProbePage = pageSchema(QueueProbe);

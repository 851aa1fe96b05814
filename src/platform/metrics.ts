// Prometheus metrics, one registry per app instance (tests build many apps in one process).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status_code'>;
  httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;
  httpInFlight: Gauge;
  dbQueryDuration: Histogram<'db'>;
  queueJobs: Gauge<'queue' | 'state'>;
  breakerState: Gauge<'breaker'>;
  jobsProcessed: Counter<'queue' | 'outcome'>;
  aiRequests: Counter<'provider' | 'model' | 'task' | 'outcome'>;
  aiTokens: Counter<'provider' | 'model' | 'task' | 'kind'>;
  aiCostUsd: Counter<'provider' | 'model' | 'task'>;
  aiRequestDuration: Histogram<'provider' | 'model' | 'task' | 'outcome'>;
  aiRetries: Counter<'provider' | 'model' | 'task' | 'reason'>;
  aiRepairs: Counter<'provider' | 'model' | 'task'>;
  trackingEvents: Counter<'outcome'>;
  trackingFlushDuration: Histogram;
  trackingPendingRows: Gauge;
  outboundRequests: Counter<'service' | 'outcome'>;
  outboundRequestDuration: Histogram<'service'>;
  breakerTransitions: Counter<'breaker' | 'from' | 'to'>;
  cacheRequests: Counter<'cache' | 'outcome'>;
  mcpToolCalls: Counter<'tool' | 'outcome'>;
  mcpToolCallDuration: Histogram<'tool' | 'outcome'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false)
    collectDefaultMetrics({ register: registry, prefix: 'herald_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'herald_http_requests_total',
      help: 'HTTP requests by route template, method and status',
      labelNames: ['method', 'route', 'status_code'],
      registers: [registry],
    }),
    httpRequestDuration: new Histogram({
      name: 'herald_http_request_duration_seconds',
      help: 'HTTP request duration by route template, method and status',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    httpInFlight: new Gauge({
      name: 'herald_http_requests_in_flight',
      help: 'HTTP requests being handled now',
      registers: [registry],
    }),
    dbQueryDuration: new Histogram({
      name: 'herald_db_query_duration_seconds',
      help: 'Database statement duration',
      labelNames: ['db'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    queueJobs: new Gauge({
      name: 'herald_queue_jobs',
      help: 'Jobs per queue and state',
      labelNames: ['queue', 'state'],
      registers: [registry],
    }),
    breakerState: new Gauge({
      name: 'herald_circuit_breaker_state',
      help: 'Circuit breaker state per service: 0 closed, 1 half-open, 2 open, 3 isolated',
      labelNames: ['breaker'],
      registers: [registry],
    }),
    jobsProcessed: new Counter({
      name: 'herald_jobs_processed_total',
      help: 'Jobs handled by this process, by queue and outcome',
      labelNames: ['queue', 'outcome'],
      registers: [registry],
    }),
    aiRequests: new Counter({
      name: 'herald_ai_requests_total',
      help: 'Model attempts by provider, model, task and outcome (one per ai_calls row)',
      labelNames: ['provider', 'model', 'task', 'outcome'],
      registers: [registry],
    }),
    aiTokens: new Counter({
      name: 'herald_ai_tokens_total',
      help: 'Tokens used, by provider, model, task and kind (prompt or completion)',
      labelNames: ['provider', 'model', 'task', 'kind'],
      registers: [registry],
    }),
    aiCostUsd: new Counter({
      name: 'herald_ai_cost_usd_total',
      help: 'Model cost in US dollars from the price table',
      labelNames: ['provider', 'model', 'task'],
      registers: [registry],
    }),
    aiRequestDuration: new Histogram({
      name: 'herald_ai_request_duration_seconds',
      help: 'Latency of one model attempt',
      labelNames: ['provider', 'model', 'task', 'outcome'],
      buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60],
      registers: [registry],
    }),
    aiRetries: new Counter({
      name: 'herald_ai_retries_total',
      help: 'Retries scheduled after a failed attempt, by the reason of the failure',
      labelNames: ['provider', 'model', 'task', 'reason'],
      registers: [registry],
    }),
    aiRepairs: new Counter({
      name: 'herald_ai_repairs_total',
      help: 'Model outputs that needed JSON repair or extraction before they validated',
      labelNames: ['provider', 'model', 'task'],
      registers: [registry],
    }),
    trackingEvents: new Counter({
      name: 'herald_tracking_events_total',
      help: 'Segment API events by outcome: accepted (stored), duplicate, rejected, suppressed',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    trackingFlushDuration: new Histogram({
      name: 'herald_tracking_flush_duration_seconds',
      help: 'Duration of one grouped write of tracking events (one transaction)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    trackingPendingRows: new Gauge({
      name: 'herald_tracking_pending_rows',
      help: 'Tracking events received and not yet committed',
      registers: [registry],
    }),
    outboundRequests: new Counter({
      name: 'herald_outbound_requests_total',
      help: 'Calls through a circuit breaker by service (smtp, webhook, slack, search, llm) and outcome: success, failure, rejected (breaker open)',
      labelNames: ['service', 'outcome'],
      registers: [registry],
    }),
    outboundRequestDuration: new Histogram({
      name: 'herald_outbound_request_duration_seconds',
      help: 'Duration of one outbound call that was made (not those an open breaker refused)',
      labelNames: ['service'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    breakerTransitions: new Counter({
      name: 'herald_circuit_breaker_transitions_total',
      help: 'Circuit breaker state changes by breaker, from and to state',
      labelNames: ['breaker', 'from', 'to'],
      registers: [registry],
    }),
    cacheRequests: new Counter({
      name: 'herald_cache_requests_total',
      help: 'Cache reads by cache (the key prefix: access, session, apikey, …) and outcome: hit or miss',
      labelNames: ['cache', 'outcome'],
      registers: [registry],
    }),
    mcpToolCalls: new Counter({
      name: 'herald_mcp_tool_calls_total',
      help: 'MCP tool calls by tool and outcome: done, awaiting_confirmation, invalid_arguments, refused, failed',
      labelNames: ['tool', 'outcome'],
      registers: [registry],
    }),
    mcpToolCallDuration: new Histogram({
      name: 'herald_mcp_tool_call_duration_seconds',
      help: 'Duration of an MCP tool call inside Herald (arguments checked, access, the service call)',
      labelNames: ['tool', 'outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}

// The API client seen without its generated path types, for the agents routes that are not in
// web/src/api/schema.d.ts yet: the same client (the same Authorization header, the same
// refresh-on-401), called with the OpenAPI path strings. At merge, `agentsApi(api)` becomes `api`.
import { type Api, unwrap } from '../../api/client';

interface CallOptions {
  params?: { path?: Record<string, string>; query?: Record<string, string | number | undefined> };
  body?: unknown;
  headers?: Record<string, string>;
  parseAs?: 'json' | 'stream';
  signal?: AbortSignal;
}

interface CallResult {
  data?: unknown;
  error?: unknown;
  response: Response;
}

type Call = (path: string, options: CallOptions) => Promise<CallResult>;

export interface AgentsApi {
  GET: Call;
  POST: Call;
  PUT: Call;
  DELETE: Call;
}

export function agentsApi(api: Api): AgentsApi {
  return api as unknown as AgentsApi;
}

/** The base every agents path starts from. */
export const BUSINESS = '/api/v1/businesses/{businessId}';

/** `unwrap` for a call whose answer the local types describe (the generated ones will, at merge). */
export function unwrapAs<T>(call: Promise<CallResult>): Promise<T> {
  return unwrap(call as Promise<{ data?: T; error?: unknown; response: Response }>);
}

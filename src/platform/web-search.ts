// Web search for the agents (the researcher looks things up with it): SerpAPI's Google results or
// Brave Search, chosen by SEARCH_PROVIDER, behind a circuit breaker named `search:<provider>` and
// a timeout. A failure is an UPSTREAM_UNAVAILABLE error the caller can show or hand to the model;
// results are cut to a size a prompt can carry. The API key never reaches a log line or an error
// message (SerpAPI takes it in the query string, so no URL is ever logged).
import { BrokenCircuitError } from 'cockatiel';

import type { BreakerOptions, BreakerRegistry } from './breaker.ts';
import { AppError } from './http/errors.ts';
import type { Logger } from './logger.ts';

export const SEARCH_PROVIDERS = ['serpapi', 'brave'] as const;
export type SearchProviderName = (typeof SEARCH_PROVIDERS)[number];

export const DEFAULT_SEARCH_BASE_URLS: Record<SearchProviderName, string> = {
  serpapi: 'https://serpapi.com',
  brave: 'https://api.search.brave.com',
};

/** At most this many results per search, whatever the caller asks. */
export const MAX_SEARCH_RESULTS = 10;
export const MAX_SNIPPET_CHARS = 500;
const MAX_TITLE_CHARS = 300;

export interface SearchResult {
  title: string;
  url: string;
  snippet: string;
}

export interface WebSearch {
  /** `serpapi` or `brave`, for logs and for the tool's answer ("results from brave"). */
  name: SearchProviderName;
  search(
    query: string,
    options?: { limit?: number; signal?: AbortSignal },
  ): Promise<SearchResult[]>;
}

export interface WebSearchOptions {
  provider: SearchProviderName | undefined;
  apiKey: string | undefined;
  /** Unset: the provider's public endpoint. */
  baseUrl?: string | undefined;
  breakers: BreakerRegistry;
  timeoutMs: number;
  logger: Logger;
  /** The breaker's threshold and half-open delay (defaults of BreakerRegistry otherwise). */
  breaker?: BreakerOptions;
}

/** Why a search failed; `retryable` failures (429, 5xx, timeout, network) count against the breaker. */
class SearchFailure extends Error {
  readonly retryable: boolean;
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, retryable: boolean, retryAfterSeconds?: number) {
    super(message);
    this.name = 'SearchFailure';
    this.retryable = retryable;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The error a failed search throws: 503 UPSTREAM_UNAVAILABLE, with Retry-After when known. */
export function searchUnavailable(
  provider: SearchProviderName,
  reason: string,
  retryAfterSeconds?: number,
): AppError {
  return new AppError(
    'UPSTREAM_UNAVAILABLE',
    `Web search (${provider}) is unavailable right now (${reason}). Try again in a few minutes.`,
    {
      details: {
        provider,
        ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      },
      headers: retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) },
    },
  );
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  '#39': "'",
  '#x27': "'",
};

/** Plain text from a provider's snippet: Brave marks the matched words with <strong>. */
function plain(value: unknown, max: number): string {
  if (typeof value !== 'string') return '';
  const text = value
    .replace(/<[^>]*>/g, '')
    .replace(
      /&(amp|lt|gt|quot|apos|nbsp|#39|#x27);/g,
      (_match, name: string) => ENTITIES[name] ?? '',
    )
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}

function webUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

function trimmed(
  items: unknown,
  fields: { url: string; snippet: string },
  limit: number,
): SearchResult[] {
  if (!Array.isArray(items)) return [];
  const results: SearchResult[] = [];
  for (const item of items as Record<string, unknown>[]) {
    if (results.length >= limit) break;
    const url = webUrl(item[fields.url]);
    if (!url) continue; // nothing to cite without an address
    results.push({
      title: plain(item.title, MAX_TITLE_CHARS) || url,
      url,
      snippet: plain(item[fields.snippet], MAX_SNIPPET_CHARS),
    });
  }
  return results;
}

interface ProviderRequest {
  url: URL;
  headers: Record<string, string>;
  parse(body: unknown, limit: number): SearchResult[];
}

const REQUESTS: Record<
  SearchProviderName,
  (base: string, apiKey: string, query: string, limit: number) => ProviderRequest
> = {
  // GET /search.json?engine=google&q=…&api_key=…&num=… → organic_results[].{title,link,snippet}
  serpapi(base, apiKey, query, limit) {
    const url = new URL('/search.json', base);
    url.search = new URLSearchParams({
      engine: 'google',
      q: query,
      api_key: apiKey,
      num: String(limit),
    }).toString();
    return {
      url,
      headers: { accept: 'application/json' },
      parse: (body, max) =>
        trimmed(
          (body as { organic_results?: unknown }).organic_results,
          {
            url: 'link',
            snippet: 'snippet',
          },
          max,
        ),
    };
  },
  // GET /res/v1/web/search?q=…&count=… with X-Subscription-Token → web.results[].{title,url,description}
  brave(base, apiKey, query, limit) {
    const url = new URL('/res/v1/web/search', base);
    url.search = new URLSearchParams({ q: query, count: String(limit) }).toString();
    return {
      url,
      headers: { accept: 'application/json', 'x-subscription-token': apiKey },
      parse: (body, max) =>
        trimmed(
          (body as { web?: { results?: unknown } }).web?.results,
          {
            url: 'url',
            snippet: 'description',
          },
          max,
        ),
    };
  },
};

function retryAfterOf(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(1, Math.ceil((at - Date.now()) / 1000));
}

/** The configured web search, or undefined when SEARCH_PROVIDER is not set. */
export function createWebSearch(options: WebSearchOptions): WebSearch | undefined {
  const { provider, apiKey } = options;
  if (!provider) return undefined;
  if (!apiKey) throw new Error(`web search: ${provider} needs an API key (SEARCH_API_KEY)`);
  const base = options.baseUrl ?? DEFAULT_SEARCH_BASE_URLS[provider];
  const breaker = options.breakers.get(`search:${provider}`, options.breaker);
  const logger = options.logger.child({ provider });

  /** One HTTP request with its own deadline; a refused request (4xx but 429) comes back as a value. */
  async function fetchResults(
    request: ProviderRequest,
    limit: number,
    outer: AbortSignal | undefined,
  ): Promise<SearchResult[] | SearchFailure> {
    const deadline = AbortSignal.timeout(options.timeoutMs);
    const signal = outer ? AbortSignal.any([outer, deadline]) : deadline;
    let response: Response;
    try {
      response = await fetch(request.url, { headers: request.headers, signal });
    } catch {
      // The caller giving up says nothing about the provider's health: not a breaker failure.
      if (outer?.aborted) return new SearchFailure('the search was cancelled', false);
      throw new SearchFailure(
        deadline.aborted ? `no answer within ${options.timeoutMs} ms` : 'it could not be reached',
        true,
      );
    }
    if (response.status === 429 || response.status >= 500) {
      await response.body?.cancel();
      throw new SearchFailure(
        response.status === 429 ? 'it is rate limiting requests' : `it answered ${response.status}`,
        true,
        retryAfterOf(response.headers.get('retry-after')),
      );
    }
    if (!response.ok) {
      await response.body?.cancel();
      return new SearchFailure(
        `it refused the request with ${response.status}; an administrator should check SEARCH_API_KEY`,
        false,
      );
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new SearchFailure('it answered something that is not JSON', true);
    }
    return request.parse(body, limit);
  }

  return {
    name: provider,
    async search(query, { limit = MAX_SEARCH_RESULTS, signal } = {}) {
      const wanted = Math.max(1, Math.min(MAX_SEARCH_RESULTS, Math.floor(limit)));
      const request = REQUESTS[provider](base, apiKey, query, wanted);
      const started = performance.now();
      try {
        const outcome = await breaker.execute(() => fetchResults(request, wanted, signal));
        if (outcome instanceof SearchFailure) throw outcome;
        logger.debug(
          { results: outcome.length, latencyMs: Math.round(performance.now() - started) },
          'web search answered',
        );
        return outcome;
      } catch (error) {
        if (error instanceof BrokenCircuitError) {
          throw searchUnavailable(provider, 'its circuit breaker is open after repeated failures');
        }
        // The caller gave up: its own reason, not an outage.
        if (signal?.aborted) throw signal.reason;
        if (error instanceof SearchFailure) {
          logger.warn(
            { reason: error.message, latencyMs: Math.round(performance.now() - started) },
            'web search failed',
          );
          throw searchUnavailable(provider, error.message, error.retryAfterSeconds);
        }
        throw error;
      }
    },
  };
}

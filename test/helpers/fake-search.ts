// A web search API on loopback: a real node:http server speaking SerpAPI's Google search
// (GET /search.json → organic_results) and Brave Search (GET /res/v1/web/search → web.results),
// so Herald's real search client talks to it over HTTP. Each test scripts the replies in order —
// results, HTTP errors with headers, or no answer at all — and reads back the requests it got.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeHit {
  title: string;
  url: string;
  snippet: string;
}

export type FakeSearchReply =
  /** Results in the shape of the endpoint asked (SerpAPI's or Brave's). */
  | { hits: FakeHit[] }
  /** An HTTP error, e.g. 500, or 429 with a Retry-After header. */
  | { status: number; headers?: Record<string, string>; body?: unknown }
  /** Accept the request and never answer (until the client gives up). */
  | { hang: true };

export interface ReceivedSearch {
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
}

export interface FakeSearch {
  /** The base URL to configure (`SEARCH_BASE_URL`). */
  baseUrl: string;
  readonly requests: ReceivedSearch[];
  /** Queues replies, served in order; when the queue is empty `otherwise` answers. */
  script(...replies: FakeSearchReply[]): void;
  otherwise(reply: FakeSearchReply): void;
  reset(): void;
  close(): Promise<void>;
}

function serpapiBody(hits: FakeHit[], query: string) {
  return {
    search_metadata: { status: 'Success' },
    search_parameters: { engine: 'google', q: query },
    organic_results: hits.map((hit, index) => ({
      position: index + 1,
      title: hit.title,
      link: hit.url,
      displayed_link: new URL(hit.url).host,
      snippet: hit.snippet,
    })),
  };
}

function braveBody(hits: FakeHit[], query: string) {
  return {
    type: 'search',
    query: { original: query },
    web: {
      type: 'search',
      results: hits.map((hit) => ({
        type: 'search_result',
        title: hit.title,
        url: hit.url,
        description: hit.snippet,
        is_source_local: false,
      })),
    },
  };
}

export async function startFakeSearch(): Promise<FakeSearch> {
  const queue: FakeSearchReply[] = [];
  const requests: ReceivedSearch[] = [];
  let fallback: FakeSearchReply = {
    status: 500,
    body: { error: 'fake search: no scripted reply' },
  };

  function handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://fake');
    const kind =
      url.pathname === '/search.json'
        ? 'serpapi'
        : url.pathname === '/res/v1/web/search'
          ? 'brave'
          : undefined;
    if (request.method !== 'GET' || !kind) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'not found' }));
      return;
    }
    requests.push({ path: url.pathname, query: url.searchParams, headers: request.headers });
    const reply = queue.shift() ?? fallback;
    if ('hang' in reply) return; // the socket stays open until the client aborts or we close
    if ('status' in reply) {
      response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      response.end(JSON.stringify(reply.body ?? { error: `fake ${reply.status}` }));
      return;
    }
    const query = url.searchParams.get('q') ?? '';
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify(
        kind === 'serpapi' ? serpapiBody(reply.hits, query) : braveBody(reply.hits, query),
      ),
    );
  }

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    script(...replies) {
      queue.push(...replies);
    },
    otherwise(reply) {
      fallback = reply;
    },
    reset() {
      queue.length = 0;
      requests.length = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}

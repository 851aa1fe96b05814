// @vitest-environment happy-dom
// The client's error handling: refresh-once-and-retry on 401, a second 401 ends the session,
// one refresh shared by concurrent requests, and failures turned into ApiError / NetworkError.
import { describe, expect, it, vi } from 'vitest';

import { SessionStore, type TokenResponse } from '../auth/session';
import { createApi, unwrap } from './client';
import { ApiError, NetworkError, parseRetryAfter } from './errors';

const user = {
  id: crypto.randomUUID(),
  email: 'a@example.com',
  name: 'A',
  isAdmin: false,
  createdAt: new Date().toISOString(),
};

function tokens(accessToken: string): TokenResponse {
  return { accessToken, refreshToken: 'hidden', tokenType: 'Bearer', expiresIn: 900, user };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });

function envelope(code: string, message: string, correlationId = 'corr-1') {
  return {
    error: { code, message, details: {}, correlationId },
    timestamp: new Date().toISOString(),
  };
}

const businessPage = { items: [], nextCursor: null };

/** A fake network: each handler answers one request in order; every request is recorded. */
function fakeNetwork(handlers: ((request: Request) => Response | Promise<Response>)[]) {
  const requests: Request[] = [];
  const fetch = vi.fn(async (request: Request) => {
    requests.push(request.clone());
    const handler = handlers.shift();
    if (!handler) throw new Error(`unexpected request ${request.method} ${request.url}`);
    return handler(request);
  });
  return { fetch, requests };
}

function setup(handlers: Parameters<typeof fakeNetwork>[0]) {
  const network = fakeNetwork(handlers);
  const session = new SessionStore({ fetch: network.fetch, scheduleRefresh: false });
  session.signIn(tokens('old-token'));
  const expired = vi.fn();
  session.onExpired(expired);
  const api = createApi(session, network.fetch);
  return { ...network, session, expired, api };
}

describe('the API client', () => {
  it('after the user signs out, a 401 for a request still in flight neither refreshes nor expires the session', async () => {
    let answer: (response: Response) => void = () => undefined;
    const { api, session, expired, requests } = setup([
      () =>
        new Promise<Response>((resolve) => {
          answer = resolve;
        }),
    ]);
    const pending = api.GET('/api/v1/businesses');
    await vi.waitFor(() => {
      expect(requests).toHaveLength(1);
    });
    session.signOut();
    // The server revoked the sign-in meanwhile.
    answer(json(401, envelope('UNAUTHENTICATED', 'This sign-in has ended')));
    expect((await pending).response.status).toBe(401);
    expect(requests).toHaveLength(1); // no refresh attempt
    expect(expired).not.toHaveBeenCalled();
    expect(session.signedOut).toBe(true);
  });

  it('sends the in-memory access token as a bearer token', async () => {
    const { api, requests } = setup([() => json(200, businessPage)]);
    await unwrap(api.GET('/api/v1/businesses'));
    expect(requests[0]?.headers.get('authorization')).toBe('Bearer old-token');
  });

  it('on a 401 refreshes once through the cookie and replays the request with the new token', async () => {
    const { api, requests, expired, session } = setup([
      () => json(401, envelope('UNAUTHENTICATED', 'expired')),
      () => json(200, tokens('new-token')),
      () => json(200, businessPage),
    ]);
    const page = await unwrap(api.GET('/api/v1/businesses'));
    expect(page).toEqual(businessPage);
    expect(requests.map((r) => new URL(r.url).pathname)).toEqual([
      '/api/v1/businesses',
      '/api/v1/auth/refresh',
      '/api/v1/businesses',
    ]);
    expect(requests[1]?.credentials).toBe('same-origin');
    expect(requests[2]?.headers.get('authorization')).toBe('Bearer new-token');
    expect(session.accessToken).toBe('new-token');
    expect(expired).not.toHaveBeenCalled();
  });

  it('when the refresh is refused, ends the session and reports 401', async () => {
    const { api, expired, session } = setup([
      () => json(401, envelope('UNAUTHENTICATED', 'expired')),
      () => json(401, envelope('UNAUTHENTICATED', 'Refresh token revoked')),
    ]);
    const error = await unwrap(api.GET('/api/v1/businesses')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
    expect(expired).toHaveBeenCalledTimes(1);
    expect(session.current).toBeNull();
  });

  it('a second 401 after a successful refresh ends the session instead of looping', async () => {
    const { api, expired, fetch } = setup([
      () => json(401, envelope('UNAUTHENTICATED', 'expired')),
      () => json(200, tokens('new-token')),
      () => json(401, envelope('UNAUTHENTICATED', 'still no')),
    ]);
    await expect(unwrap(api.GET('/api/v1/businesses'))).rejects.toMatchObject({ status: 401 });
    expect(fetch).toHaveBeenCalledTimes(3);
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it('concurrent 401s share one refresh (refresh tokens work once)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { api, requests } = setup([
      () => json(401, envelope('UNAUTHENTICATED', 'expired')),
      () => json(401, envelope('UNAUTHENTICATED', 'expired')),
      async () => {
        await gate;
        return json(200, tokens('new-token'));
      },
      () => json(200, businessPage),
      () => json(200, businessPage),
    ]);
    const both = Promise.all([
      unwrap(api.GET('/api/v1/businesses')),
      unwrap(api.GET('/api/v1/businesses')),
    ]);
    await vi.waitFor(() => {
      expect(requests.length).toBe(3);
    });
    release();
    await both;
    const refreshes = requests.filter((r) => r.url.endsWith('/api/v1/auth/refresh'));
    expect(refreshes).toHaveLength(1);
  });

  it('never retries the session routes themselves', async () => {
    const { api, fetch, expired } = setup([
      () => json(401, envelope('UNAUTHENTICATED', 'Email or password is wrong')),
    ]);
    await expect(
      unwrap(api.POST('/api/v1/auth/login', { body: { email: 'a@example.com', password: 'x' } })),
    ).rejects.toMatchObject({ status: 401, message: 'Email or password is wrong' });
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(expired).not.toHaveBeenCalled();
  });

  it('turns a 429 into an ApiError with the wait from Retry-After', async () => {
    const { api } = setup([
      () => json(429, envelope('RATE_LIMITED', 'Too many requests'), { 'retry-after': '42' }),
    ]);
    const error = (await unwrap(api.GET('/api/v1/businesses')).catch(
      (e: unknown) => e,
    )) as ApiError;
    expect(error.isRateLimited).toBe(true);
    expect(error.retryAfterSeconds).toBe(42);
  });

  it('turns a 500 into an ApiError carrying the correlation ID to report', async () => {
    const { api } = setup([
      () =>
        json(500, envelope('INTERNAL', 'Internal server error', 'abc-123'), {
          'x-correlation-id': 'abc-123',
        }),
    ]);
    const error = (await unwrap(api.GET('/api/v1/businesses')).catch(
      (e: unknown) => e,
    )) as ApiError;
    expect(error.isServerError).toBe(true);
    expect(error.code).toBe('INTERNAL');
    expect(error.correlationId).toBe('abc-123');
  });

  it('a 502 page from a proxy (not the envelope) still becomes an ApiError with the header ID', async () => {
    const { api } = setup([
      () =>
        new Response('<html>Bad gateway</html>', {
          status: 502,
          statusText: 'Bad Gateway',
          headers: { 'content-type': 'text/html', 'x-correlation-id': 'edge-9' },
        }),
    ]);
    await expect(unwrap(api.GET('/api/v1/businesses'))).rejects.toMatchObject({
      status: 502,
      code: 'INTERNAL',
      correlationId: 'edge-9',
    });
  });

  it('a request that never gets an answer is a NetworkError, and keeps the session', async () => {
    const { api, session, expired } = setup([
      () => {
        throw new TypeError('Failed to fetch');
      },
    ]);
    await expect(unwrap(api.GET('/api/v1/businesses'))).rejects.toBeInstanceOf(NetworkError);
    expect(session.accessToken).toBe('old-token');
    expect(expired).not.toHaveBeenCalled();
  });

  it('field errors of a VALIDATION_ERROR are keyed by field', () => {
    const error = ApiError.from(new Response(null, { status: 400 }), {
      error: {
        code: 'VALIDATION_ERROR',
        message: 'Invalid request',
        details: { issues: [{ path: 'body.password', message: 'too short' }] },
        correlationId: 'c',
      },
      timestamp: new Date().toISOString(),
    });
    expect(error.fieldErrors()).toEqual({ password: 'too short' });
  });

  it('refreshes silently a minute before the access token expires', async () => {
    vi.useFakeTimers();
    try {
      const network = fakeNetwork([() => json(200, tokens('renewed-token'))]);
      const session = new SessionStore({ fetch: network.fetch });
      session.signIn(tokens('first-token')); // expires in 900 s
      await vi.advanceTimersByTimeAsync(839_000);
      expect(network.fetch).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(2_000);
      expect(network.requests.map((r) => new URL(r.url).pathname)).toEqual([
        '/api/v1/auth/refresh',
      ]);
      expect(session.accessToken).toBe('renewed-token');
      session.clear(); // stops the next timer
    } finally {
      vi.useRealTimers();
    }
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:01:00 GMT', now)).toBe(60);
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});

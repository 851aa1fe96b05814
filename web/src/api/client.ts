// The typed API client: openapi-fetch over the types generated from Herald's OpenAPI document,
// with a fetch that signs requests with the in-memory access token, refreshes once on a 401 and
// retries, and declares the session expired when the retry is refused too.
import createClient, { type Client } from 'openapi-fetch';

import type { SessionStore } from '../auth/session';
import { ApiError, NetworkError } from './errors';
import type { paths } from './schema';

export type Api = Client<paths>;

/** Routes that never trigger a refresh-and-retry: how sessions start and end, and what sign-up asks first. */
const SESSION_ROUTES = /\/api\/v1\/auth\/(login|register|registration|refresh|logout)$/;

export type AuthFetch = (input: Request) => Promise<Response>;

/**
 * A fetch that adds `Authorization: Bearer`, and on a 401 refreshes (once, shared with any
 * concurrent request) and replays the request; a second 401 expires the session.
 */
export function createAuthFetch(
  session: SessionStore,
  baseFetch: AuthFetch = (request) => globalThis.fetch(request),
): AuthFetch {
  const send = async (request: Request): Promise<Response> => {
    const token = session.accessToken;
    if (token && !request.headers.has('authorization')) {
      request.headers.set('authorization', `Bearer ${token}`);
    }
    try {
      return await baseFetch(request);
    } catch (error) {
      if (request.signal.aborted) throw error;
      throw new NetworkError(error);
    }
  };

  return async (request) => {
    const path = new URL(request.url, 'http://herald.invalid').pathname;
    if (SESSION_ROUTES.test(path)) return send(request);
    const replay = request.clone();
    const sentToken = session.accessToken;
    const response = await send(request);
    if (response.status !== 401) return response;
    // Signed out (or expired) while this request was in flight: nothing to refresh or announce.
    if (sentToken && !session.accessToken) return response;
    // Another request may already have refreshed while this one was in flight.
    const fresh =
      session.accessToken && session.accessToken !== sentToken
        ? session.current
        : await session.refresh();
    if (!fresh) {
      session.expire();
      return response;
    }
    await response.body?.cancel();
    replay.headers.set('authorization', `Bearer ${fresh.accessToken}`);
    const second = await send(replay);
    if (second.status === 401) session.expire();
    return second;
  };
}

export function createApi(session: SessionStore, baseFetch?: AuthFetch): Api {
  return createClient<paths>({ baseUrl: '', fetch: createAuthFetch(session, baseFetch) });
}

interface ClientResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Awaits an openapi-fetch call and returns its data, or throws ApiError / NetworkError. */
export async function unwrap<T>(call: Promise<ClientResult<T>>): Promise<T> {
  let result: ClientResult<T>;
  try {
    result = await call;
  } catch (error) {
    if (error instanceof NetworkError || error instanceof ApiError) throw error;
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    // A body that is not JSON (a proxy's error page) or a fetch that failed outright.
    throw error instanceof TypeError ? new NetworkError(error) : error;
  }
  if (!result.response.ok || result.error !== undefined) {
    throw ApiError.from(result.response, result.error);
  }
  return result.data as T;
}

/** A fresh Idempotency-Key; crypto.randomUUID is missing on plain-http LAN addresses. */
export function idempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

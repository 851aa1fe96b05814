// POST /mcp: the Model Context Protocol over Streamable HTTP (stateless, JSON answers). The
// caller is authenticated here, as on /api/v1 (a bearer JWT or an X-API-Key), but every JSON-RPC
// message is a POST, so the guard's "read-only keys may only GET" rule is replaced by the tool
// list: a read-only key sees and may call only read tools. GET and DELETE answer 405, as the
// protocol asks of a server that offers no event stream and no sessions.
import type { FastifyRequest } from 'fastify';

import type { Authenticator, Principal } from '../../platform/http/auth-guard.ts';
import { errorEnvelope, unauthenticated } from '../../platform/http/errors.ts';
import type { App } from '../../platform/http/types.ts';
import type { RateLimiter } from '../../platform/rate-limit.ts';
import { answerStreamableHttp } from './server.ts';
import type { McpService } from './service.ts';

export const MCP_PATH = '/mcp';

async function principalOfRequest(
  request: FastifyRequest,
  authenticate: Authenticator,
): Promise<Principal> {
  const apiKey = request.headers['x-api-key'];
  const header = request.headers.authorization;
  if (typeof apiKey === 'string' && apiKey.length > 0) {
    return authenticate({ apiKey, ip: request.ip });
  }
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw unauthenticated('Authorization header must be "Bearer <token>"');
    return authenticate({ bearer: match[1], ip: request.ip });
  }
  throw unauthenticated('MCP needs a bearer token or an X-API-Key header');
}

/** The message of the transport's JSON-RPC error body, or the body itself. */
function transportMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } };
    if (typeof parsed.error?.message === 'string') return parsed.error.message;
  } catch {
    // not JSON: the text as it is
  }
  return body.slice(0, 200) || 'The MCP request was refused';
}

/** The headers the transport reads (the host and the rest play no part: no session, no CORS). */
const TRANSPORT_HEADERS = ['accept', 'content-type', 'mcp-protocol-version', 'mcp-session-id'];

/** The fastify request as a web Request (headers only: the body is already parsed). */
function webRequestOf(request: FastifyRequest): Request {
  const headers = new Headers();
  for (const name of TRANSPORT_HEADERS) {
    const value = request.headers[name];
    if (typeof value === 'string') headers.set(name, value);
  }
  return new Request(`http://localhost${MCP_PATH}`, { method: request.method, headers });
}

export function mcpRoutes(
  app: App,
  deps: {
    mcp: McpService;
    authenticate: Authenticator;
    limiter: RateLimiter;
    version: string;
    enabled: boolean;
  },
): void {
  const { mcp, authenticate, limiter, version } = deps;
  if (!deps.enabled) return;

  app.post(
    MCP_PATH,
    {
      // Not a REST operation: the protocol's own documents describe it (docs/mcp.md).
      schema: { hide: true },
      config: { auth: 'public', permission: 'self', rateLimit: 'none' },
    },
    async (request, reply) => {
      const principal = await principalOfRequest(request, authenticate);
      // The general per-user limit, counted as the user (the guard did not see them).
      await limiter.hit('general', `user:${principal.userId}`);
      const response = await answerStreamableHttp(
        mcp,
        principal,
        version,
        webRequestOf(request),
        request.body,
      );
      const body = await response.text();
      if (response.status >= 400) {
        // An HTTP-level refusal of the transport (not JSON, no Accept for JSON and event streams,
        // a batch it cannot parse): the status is kept, the body is Herald's error envelope.
        return reply
          .status(response.status)
          .send(
            errorEnvelope('VALIDATION_ERROR', transportMessage(body), { mcp: true }, request.id),
          );
      }
      void reply.status(response.status);
      response.headers.forEach((value, name) => {
        void reply.header(name, value);
      });
      return reply.send(body.length > 0 ? body : undefined);
    },
  );

  for (const method of ['GET', 'DELETE'] as const) {
    app.route({
      method,
      url: MCP_PATH,
      schema: { hide: true },
      config: { auth: 'public', permission: 'public', rateLimit: 'none' },
      handler: (request, reply) =>
        reply
          .status(405)
          .header('allow', 'POST')
          .send(
            errorEnvelope(
              'METHOD_NOT_ALLOWED',
              'This MCP server is stateless: send each message with POST (no event stream, no sessions)',
              {},
              request.id,
            ),
          ),
    });
  }
}

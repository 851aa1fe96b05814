// The links inside emails, served without credentials: the open pixel (/e/o), click redirects
// (/e/c) and unsubscribe (/e/u). POST /e/u is RFC 8058 one-click unsubscribe, sent by mail
// clients with the body `List-Unsubscribe=One-Click`; GET /e/u is the landing page a person sees.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';

import type { App } from '../../platform/http/types.ts';
import type { Engagement } from './engagement.ts';
import { escapeHtml } from './templates.ts';

// Wildcards, not `:token`: a click token carries its URL and outgrows the router's 100-character
// limit on path parameters.
const TokenParams = z.object({ '*': z.string().min(1).max(8192) });

/** A transparent 1×1 GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** A small public HTML page (the unsubscribe landing page and its answers). */
export function emailPage(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}button{font-size:1rem;padding:.6rem 1.2rem;cursor:pointer}</style></head><body>${body}</body></html>`;
}

/** The 404 page of a link that is not valid: `what` names the link ("unsubscribe link"). */
function linkNotFound(reply: FastifyReply, what: string): FastifyReply {
  return reply
    .status(404)
    .type('text/html; charset=utf-8')
    .send(emailPage('Link not found', `<h1>Link not found</h1><p>This ${what} is not valid.</p>`));
}

const publicConfig = {
  auth: 'public' as const,
  permission: 'public' as const,
  rateLimit: 'none' as const,
};

export async function emailLinkRoutes(app: App, deps: { engagement: Engagement }): Promise<void> {
  const { engagement } = deps;
  // In their own scope: the form parsers below apply to these routes only.
  await app.register((scope: FastifyInstance, _options, done) => {
    const typed = scope as unknown as App;
    for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data']) {
      scope.addContentTypeParser(
        type,
        { parseAs: 'string', bodyLimit: 16_384 },
        (_request, body, next) => {
          next(null, body);
        },
      );
    }

    typed.get(
      '/e/o/*',
      { config: publicConfig, schema: { hide: true, params: TokenParams } },
      async (request, reply) => {
        await engagement.recordOpen(request.params['*'].replace(/\.gif$/, ''));
        return reply
          .header('content-type', 'image/gif')
          .header('cache-control', 'no-store, max-age=0')
          .send(PIXEL);
      },
    );

    typed.get(
      '/e/c/*',
      { config: publicConfig, schema: { hide: true, params: TokenParams } },
      async (request, reply) => {
        const url = await engagement.recordClick(request.params['*']);
        if (!url) return linkNotFound(reply, 'link');
        return reply.header('cache-control', 'no-store').redirect(url, 302);
      },
    );

    typed.get(
      '/e/u/*',
      { config: publicConfig, schema: { hide: true, params: TokenParams } },
      async (request, reply) => {
        const target = await engagement.unsubscribeTarget(request.params['*']);
        reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
        if (!target) return linkNotFound(reply, 'unsubscribe link');
        // A GET never unsubscribes (link scanners follow links); the button POSTs.
        return reply.send(
          emailPage(
            'Unsubscribe',
            `<h1>Unsubscribe</h1><p>Stop emails from <strong>${escapeHtml(target.businessName)}</strong> to <strong>${escapeHtml(target.email)}</strong>?</p><form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
          ),
        );
      },
    );

    typed.post(
      '/e/u/*',
      { config: publicConfig, schema: { hide: true, params: TokenParams } },
      async (request, reply) => {
        const done_ = await engagement.unsubscribe(request.params['*']);
        reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
        if (!done_) return linkNotFound(reply, 'unsubscribe link');
        return reply.send(
          emailPage(
            'Unsubscribed',
            `<h1>You are unsubscribed</h1><p>${escapeHtml(done_.email)} will get no more emails from ${escapeHtml(done_.businessName)}.</p>`,
          ),
        );
      },
    );
    done();
  });
}

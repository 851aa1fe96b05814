// /e/b/<token>: the links inside broadcasts, served without credentials — the open pixel, click
// redirects, and unsubscribe (GET: the landing page; POST: RFC 8058 one-click, or its button).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

import type { App } from '../../platform/http/types.ts';
import { emailPage, escapeHtml } from '../sequences/index.ts';
import type { BroadcastEngagement } from './engagement.ts';

const TokenParams = z.object({ '*': z.string().min(1).max(8192) });
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const publicConfig = {
  auth: 'public' as const,
  permission: 'public' as const,
  rateLimit: 'none' as const,
};
const notFoundPage = emailPage(
  'Link not found',
  '<h1>Link not found</h1><p>This link is not valid.</p>',
);

export async function broadcastLinkRoutes(
  app: App,
  deps: { engagement: BroadcastEngagement; verifyKind: (token: string) => string | undefined },
): Promise<void> {
  const { engagement } = deps;
  await app.register((scope: FastifyInstance, _options, done) => {
    const typed = scope as unknown as App;
    for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data']) {
      scope.addContentTypeParser(
        type,
        { parseAs: 'string', bodyLimit: 16_384 },
        (_r, body, next) => {
          next(null, body);
        },
      );
    }

    typed.get(
      '/e/b/*',
      { config: publicConfig, schema: { hide: true, params: TokenParams } },
      async (request, reply) => {
        const token = request.params['*'];
        const kind = deps.verifyKind(token);
        if (kind === 'o') {
          await engagement.recordOpen(token);
          return reply
            .header('content-type', 'image/gif')
            .header('cache-control', 'no-store, max-age=0')
            .send(PIXEL);
        }
        reply.header('cache-control', 'no-store');
        if (kind === 'c') {
          const url = await engagement.recordClick(token);
          if (url) return reply.redirect(url, 302);
        }
        if (kind === 'u') {
          const target = await engagement.unsubscribeTarget(token);
          if (target)
            return reply
              .type('text/html; charset=utf-8')
              .send(
                emailPage(
                  'Unsubscribe',
                  `<h1>Unsubscribe</h1><p>Stop emails from <strong>${escapeHtml(target.businessName)}</strong> to <strong>${escapeHtml(target.email)}</strong>?</p><form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
                ),
              );
        }
        return reply.status(404).type('text/html; charset=utf-8').send(notFoundPage);
      },
    );

    typed.post(
      '/e/b/*',
      { config: publicConfig, schema: { hide: true, params: TokenParams } },
      async (request, reply) => {
        const result = await engagement.unsubscribe(request.params['*']);
        reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
        if (!result) return reply.status(404).send(notFoundPage);
        return reply.send(
          emailPage(
            'Unsubscribed',
            `<h1>You are unsubscribed</h1><p>${escapeHtml(result.email)} will get no more emails from ${escapeHtml(result.businessName)}.</p>`,
          ),
        );
      },
    );
    done();
  });
}

// POST /api/v1/businesses/{businessId}/email/feedback: complaints (ARF) and later bounces (DSN)
// from a relay's feedback mailbox piped to curl, or a relay webhook's JSON.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

import { principalOf } from '../../platform/http/auth-guard.ts';
import { AppError, errorResponses } from '../../platform/http/errors.ts';
import type { App } from '../../platform/http/types.ts';
import type { EmailFeedback, FeedbackInput } from './feedback.ts';
import { FeedbackNotification } from './feedback-report.ts';
import { BusinessParams } from './schemas.ts';

/** A report quotes the original message; a newsletter with images inlined can be large. */
const MAX_REPORT_BYTES = 4 * 1024 * 1024;
const RAW_TYPES = ['multipart/report', 'message/rfc822', 'text/plain'];

const FeedbackResult = z
  .object({
    type: z.enum(['complaint', 'bounce']),
    bounceType: z.enum(['hard', 'soft']).nullable(),
    delivery: z.object({ kind: z.enum(['sequence', 'broadcast']), id: z.uuid() }),
    duplicate: z.boolean().describe('Received before: nothing changed'),
  })
  .meta({ id: 'EmailFeedbackResult' });

/** The handler validates: a raw report is a string, a notification is JSON. */
const passThrough = () => (data: unknown) => ({ value: data });

function inputOf(body: unknown, contentType: string): FeedbackInput {
  if (typeof body === 'string') {
    if (body.trim() === '') {
      throw new AppError('VALIDATION_ERROR', 'The report is empty', {
        details: { issues: [{ path: 'body', message: 'The report is empty' }] },
      });
    }
    return { kind: 'raw', message: body, contentType };
  }
  const parsed = FeedbackNotification.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      path: ['body', ...issue.path.map(String)].join('.'),
      message: issue.message,
    }));
    throw new AppError(
      'VALIDATION_ERROR',
      `Invalid request: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
      { details: { issues } },
    );
  }
  return { kind: 'json', notification: parsed.data };
}

export async function emailFeedbackRoutes(
  app: App,
  deps: { feedback: EmailFeedback },
): Promise<void> {
  await app.register((scope: FastifyInstance, _options, done) => {
    const typed = scope as unknown as App;
    for (const type of RAW_TYPES) {
      scope.addContentTypeParser(
        type,
        { parseAs: 'string', bodyLimit: MAX_REPORT_BYTES },
        (_request, body, next) => {
          next(null, body);
        },
      );
    }
    typed.post(
      '/api/v1/businesses/:businessId/email/feedback',
      {
        config: { permission: 'content.write' },
        bodyLimit: MAX_REPORT_BYTES,
        validatorCompiler: passThrough,
        schema: {
          tags: ['email'],
          summary: 'Report a spam complaint or a bounce about mail Herald sent',
          description: [
            'Either a raw report — an ARF feedback report (RFC 5965) or a DSN (RFC 3464), posted as',
            '`message/rfc822` or `text/plain` (the whole message), or as `multipart/report` (its body,',
            'with the report’s Content-Type as the request’s) — or a relay webhook’s JSON notification.',
            'It is matched by the original Message-ID to a sequence or broadcast delivery of this business.',
            'A complaint suppresses the address (complained), stops its enrollments and records',
            "'Email Marked as Spam'; a hard bounce (5.x.x) suppresses it (bounced) and records 'Email",
            "Bounced'; a soft bounce (4.x.x, delayed) is recorded only. The same report twice answers",
            '`duplicate: true` and changes nothing. An unknown Message-ID is a 404.',
          ].join(' '),
          params: BusinessParams,
          body: FeedbackNotification,
          response: { 200: FeedbackResult, ...errorResponses(400, 401, 403, 404, 413, 429) },
        },
      },
      async (request) =>
        deps.feedback.receive(
          principalOf(request),
          request.params.businessId,
          inputOf(request.body as unknown, request.headers['content-type'] ?? ''),
        ),
    );
    done();
  });
}

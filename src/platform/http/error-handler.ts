// The one place errors become responses: every failure leaves as the envelope of DESIGN.md §4
// with the request's correlation ID. Unexpected errors are logged in full and answered as
// INTERNAL with nothing about the cause (no stack, no SQL, no secrets).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
} from 'fastify-type-provider-zod';

import { AppError, type ErrorCode, errorEnvelope } from './errors.ts';

const CODE_FOR_STATUS: Record<number, ErrorCode> = {
  400: 'VALIDATION_ERROR',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'VALIDATION_ERROR',
  429: 'RATE_LIMITED',
};

interface ValidationIssue {
  path: string;
  message: string;
}

function validationIssues(error: FastifyError): ValidationIssue[] {
  const location = error.validationContext ?? 'body';
  return (error.validation ?? []).map((issue) => {
    const pointer = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
    return {
      path: pointer ? `${location}.${pointer}` : location,
      message: issue.message ?? 'invalid',
    };
  });
}

function send(
  reply: FastifyReply,
  request: FastifyRequest,
  status: number,
  code: string,
  message: string,
  details: Record<string, unknown> = {},
) {
  return reply.status(status).send(errorEnvelope(code, message, details, request.id));
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      if (error.status >= 500) request.log.error({ err: error }, 'request failed');
      for (const [name, value] of Object.entries(error.headers)) void reply.header(name, value);
      return send(reply, request, error.status, error.code, error.message, error.details);
    }

    if (hasZodFastifySchemaValidationErrors(error)) {
      const issues = validationIssues(error);
      const summary = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
      return send(reply, request, 400, 'VALIDATION_ERROR', `Invalid request: ${summary}`, {
        issues,
      });
    }

    if (isResponseSerializationError(error)) {
      request.log.error({ err: error, issues: error.cause.issues }, 'response failed its schema');
      return send(reply, request, 500, 'INTERNAL', 'Internal server error');
    }

    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // Fastify's own client errors: malformed JSON, body too large, wrong content type…
      const code = CODE_FOR_STATUS[status] ?? 'VALIDATION_ERROR';
      const message =
        code === 'PAYLOAD_TOO_LARGE'
          ? 'Request body is larger than the server accepts'
          : error.message;
      if (status === 429 && !reply.hasHeader('retry-after')) void reply.header('retry-after', '60');
      return send(reply, request, status, code, message);
    }

    request.log.error({ err: error }, 'unhandled error');
    return send(reply, request, 500, 'INTERNAL', 'Internal server error');
  });

  app.setNotFoundHandler((request, reply) =>
    send(
      reply,
      request,
      404,
      'NOT_FOUND',
      `Route ${request.method} ${request.url.split('?')[0] ?? ''} not found`,
    ),
  );
}

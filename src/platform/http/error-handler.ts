// The one place errors become responses: every failure leaves as the envelope of DESIGN.md §4
// with the request's correlation ID. Unexpected errors are logged in full and answered as
// INTERNAL with nothing about the cause (no stack, no SQL, no secrets). Errors fastify answers
// before routing (a malformed URL escape, an over-long path parameter) and errors node's HTTP
// parser answers before fastify sees the request get the same envelope here.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
} from 'fastify-type-provider-zod';

import { AppError, type ErrorCode, errorEnvelope } from './errors.ts';
import { CORRELATION_HEADER } from './observability.ts';
import { SECURITY_HEADERS } from './security-headers.ts';

const CODE_FOR_STATUS: Record<number, ErrorCode> = {
  400: 'VALIDATION_ERROR',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'VALIDATION_ERROR',
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
  // Set here too: an error raised before the observability hook ran still names its request.
  void reply.header(CORRELATION_HEADER, request.id);
  return reply.status(status).send(errorEnvelope(code, message, details, request.id));
}

/** What fastify's router refuses before any route or hook runs (fastify's `frameworkErrors`). */
const FRAMEWORK_ERRORS: Record<string, { status: number; message: string }> = {
  FST_ERR_BAD_URL: { status: 400, message: 'The URL is not valid: a percent-escape is malformed' },
  FST_ERR_MAX_PARAM_LENGTH: {
    status: 414,
    message: 'A path parameter is longer than the server accepts (100 characters)',
  },
};

/**
 * fastify's `frameworkErrors` option: no hook has run for these requests, so the correlation ID
 * and security headers are set here before the envelope is sent.
 */
export function answerFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const known = error.code ? FRAMEWORK_ERRORS[error.code] : undefined;
  void reply.headers(SECURITY_HEADERS);
  if (!known) {
    request.log.error({ err: error }, 'framework error');
    void send(reply, request, 500, 'INTERNAL', 'Internal server error');
    return;
  }
  void send(reply, request, known.status, 'VALIDATION_ERROR', known.message);
}

const CLIENT_ERRORS: Record<string, { status: number; message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, message: 'The request was not received in time' },
  HPE_HEADER_OVERFLOW: { status: 431, message: 'The request headers are too large' },
};

/**
 * fastify's `clientErrorHandler`: node's HTTP parser refused the bytes (a malformed request
 * line or header), so there is no request object; the envelope is written on the socket.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, message } = (error.code ? CLIENT_ERRORS[error.code] : undefined) ?? {
    status: 400,
    message: 'The request is not valid HTTP',
  };
  const correlationId = randomUUID();
  const body = JSON.stringify(errorEnvelope('VALIDATION_ERROR', message, {}, correlationId));
  const headers = {
    ...SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    [CORRELATION_HEADER]: correlationId,
    connection: 'close',
  };
  if (socket.writable) {
    const head = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${head}\r\n${body}`);
  }
  socket.destroy(error);
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

// The app's route table, read from fastify itself (every registered route, hidden or not) and
// joined with the OpenAPI document (what each route declares: credentials, permission, parameters,
// body). The tenancy and permission-matrix tests walk it, so a route added later is tested
// without editing them.
import { randomUUID } from 'node:crypto';

import type { OpenAPIV3_1 } from 'openapi-types';

import type { App } from '../../src/platform/http/types.ts';
import { PERMISSIONS, type RoutePermission } from '../../src/shared/permissions.ts';

export interface RouteEntry {
  method: string;
  /** fastify's form, e.g. `/api/v1/businesses/:businessId`. */
  url: string;
  /** Path parameters, in order. */
  params: string[];
  /** The OpenAPI operation; undefined for routes hidden from the document. */
  operation: OpenAPIV3_1.OperationObject | undefined;
}

const LINE = /^((?:│ {3}| {4})*)(?:├── |└── )(\S+)(?: \(([^)]+)\))?$/;

/** Every method × path fastify serves, from `printRoutes({ commonPrefix: false })`. */
export function registeredRoutes(app: App): { method: string; url: string }[] {
  const routes: { method: string; url: string }[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    if (line.trim() === '') continue;
    const match = LINE.exec(line);
    if (!match) throw new Error(`cannot read this line of the route table: ${line}`);
    const depth = (match[1] ?? '').length / 4;
    stack.length = depth;
    const url = (stack[depth - 1] ?? '') + (match[2] ?? '');
    stack.push(url);
    for (const method of (match[3] ?? '').split(',').map((m) => m.trim())) {
      if (method) routes.push({ method, url });
    }
  }
  return routes;
}

/** `/a/:id/b` → `/a/{id}/b`, the OpenAPI form. */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

export function paramsOf(url: string): string[] {
  return [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1] ?? '');
}

export async function routeTable(app: App): Promise<RouteEntry[]> {
  await app.ready();
  const document = app.swagger() as OpenAPIV3_1.Document;
  return registeredRoutes(app)
    .filter((route) => route.method !== 'HEAD' && route.method !== 'OPTIONS')
    .map((route) => {
      const item = document.paths?.[openApiPath(route.url)] as
        Record<string, OpenAPIV3_1.OperationObject | undefined> | undefined;
      const operation = item?.[route.method.toLowerCase()];
      return { ...route, params: paramsOf(route.url), operation };
    });
}

export const routeName = (route: { method: string; url: string }) => `${route.method} ${route.url}`;

const ROUTE_PERMISSIONS: readonly string[] = [...PERMISSIONS, 'self', 'instance.admin', 'public'];

/** The permission the route declares (`x-permission`); undefined when it declares none. */
export function permissionOf(route: RouteEntry): RoutePermission | undefined {
  const declared = (route.operation as Record<string, unknown> | undefined)?.['x-permission'];
  return typeof declared === 'string' && ROUTE_PERMISSIONS.includes(declared)
    ? (declared as RoutePermission)
    : undefined;
}

/** Whether the document says the route needs credentials (the document's default does). */
export function isProtected(document: OpenAPIV3_1.Document, route: RouteEntry): boolean {
  // Routes hidden from the document (the docs UI, the document itself) are public.
  if (!route.operation) return false;
  const security = route.operation.security ?? document.security ?? [];
  return security.length > 0;
}

type Schema = OpenAPIV3_1.SchemaObject & { example?: unknown; examples?: unknown[] };

/**
 * A small body that passes the route's own schema: required fields filled from examples,
 * formats and bounds (and, for an object whose fields are all optional, its first field).
 */
export function sampleOf(schema: Schema | undefined, document: OpenAPIV3_1.Document): unknown {
  if (!schema) return undefined;
  const ref = (schema as { $ref?: string }).$ref;
  if (ref) {
    const name = ref.split('/').pop() ?? '';
    return sampleOf(document.components?.schemas?.[name], document);
  }
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  const variants = schema.anyOf ?? schema.oneOf ?? schema.allOf;
  if (variants?.[0]) return sampleOf(variants[0], document);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const names = schema.required?.length ? schema.required : Object.keys(properties).slice(0, 1);
      return Object.fromEntries(names.map((name) => [name, sampleOf(properties[name], document)]));
    }
    case 'array': {
      const count = schema.minItems ?? 0;
      return Array.from({ length: count }, () =>
        sampleOf((schema as { items?: Schema }).items, document),
      );
    }
    case 'string':
      if (schema.format === 'email') return 'someone@example.com';
      if (schema.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
      if (schema.format === 'uri' || schema.format === 'url') return 'https://example.com/';
      if (schema.format === 'date-time') return new Date().toISOString();
      return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return undefined;
  }
}

/** The JSON body to send to a route, from its request-body schema (undefined: none). */
export function sampleBody(route: RouteEntry, document: OpenAPIV3_1.Document): unknown {
  const body = route.operation?.requestBody as OpenAPIV3_1.RequestBodyObject | undefined;
  const schema = body?.content['application/json']?.schema;
  return sampleOf(schema, document);
}

/** Whether the route streams (server-sent events) instead of answering once. */
export function streams(route: RouteEntry): boolean {
  const responses = route.operation?.responses ?? {};
  return Object.values(responses).some((response) =>
    Object.keys((response as OpenAPIV3_1.ResponseObject).content ?? {}).includes(
      'text/event-stream',
    ),
  );
}

/** What a route answered: its status, the envelope's error code and details. */
export interface Answer {
  route: string;
  status: number;
  code: string | undefined;
  message?: string | undefined;
  details?: Record<string, unknown> | undefined;
}

/** The route's URL with `ids` in its parameters (a random UUID for a parameter without one). */
export function fill(url: string, ids: Record<string, string>): string {
  return url
    .replace(/:([A-Za-z0-9_]+)/g, (_match, name: string) => ids[name] ?? randomUUID())
    .replace(/\*$/, 'anything');
}

/** What an error answer's envelope says, if it is JSON. */
function envelopeOf(contentType: string | undefined, text: string) {
  if (contentType?.includes('application/json') !== true) return undefined;
  return (JSON.parse(text) as { error?: Omit<Answer, 'route' | 'status'> }).error;
}

/**
 * A server-sent event stream answers when its headers are sent: a stream that was let through
 * (which may never end, like the live event debugger's) is read no further and closed.
 */
async function callStream(
  app: App,
  route: RouteEntry,
  url: string,
  headers: Record<string, string>,
): Promise<Answer> {
  const response = await app.inject({
    method: route.method as 'GET',
    url,
    headers,
    payloadAsStream: true,
  });
  const stream = response.stream();
  const contentType = response.headers['content-type'];
  if (typeof contentType === 'string' && contentType.includes('text/event-stream')) {
    stream.destroy();
    return { route: routeName(route), status: response.statusCode, code: undefined };
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  const error = envelopeOf(
    typeof contentType === 'string' ? contentType : undefined,
    Buffer.concat(chunks).toString('utf8'),
  );
  return {
    route: routeName(route),
    status: response.statusCode,
    code: error?.code,
    message: error?.message,
    details: error?.details,
  };
}

/**
 * Parameters that name a resource of the business without being in the path (the AI feedback's
 * `subjectId`, in its body or query) take the id of this fixture, as the path's parameters do.
 */
const NAMED_ELSEWHERE: Record<string, string> = { subjectId: 'contentId', actionId: 'actionId' };

/** The route's required query parameters, sampled like a body, resources from `ids`. */
export function sampleQuery(route: RouteEntry, ids: Record<string, string>): string {
  const parameters = (route.operation?.parameters ?? []) as OpenAPIV3_1.ParameterObject[];
  const pairs = parameters
    .filter((parameter) => parameter.in === 'query' && parameter.required)
    .map((parameter) => {
      const fixture = NAMED_ELSEWHERE[parameter.name];
      const value =
        (fixture && ids[fixture]) ??
        sampleOf(parameter.schema as Schema, {} as OpenAPIV3_1.Document);
      const pair: [string, string] = [parameter.name, String(value)];
      return pair;
    });
  return pairs.length > 0 ? `?${new URLSearchParams(pairs).toString()}` : '';
}

/** The fixtures a route names outside its path (in its required query or its body). */
export function fixturesNamedElsewhere(route: RouteEntry): string[] {
  const parameters = (route.operation?.parameters ?? []) as OpenAPIV3_1.ParameterObject[];
  const body = route.operation?.requestBody as OpenAPIV3_1.RequestBodyObject | undefined;
  const schema = body?.content['application/json']?.schema;
  const properties = schema && 'properties' in schema ? schema.properties : undefined;
  const fields = [
    ...parameters
      .filter((parameter) => parameter.in === 'query')
      .map((parameter) => parameter.name),
    ...Object.keys(properties ?? {}),
  ];
  return Object.entries(NAMED_ELSEWHERE).flatMap(([field, fixture]) =>
    fields.includes(field) ? [fixture] : [],
  );
}

/** `body` with its resource fields (NAMED_ELSEWHERE) naming `ids`' fixtures. */
function withFixtures(body: unknown, ids: Record<string, string>): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const named = Object.entries(NAMED_ELSEWHERE).flatMap(([field, fixture]) =>
    field in body && ids[fixture] ? [[field, ids[fixture]]] : [],
  );
  return named.length > 0 ? { ...body, ...Object.fromEntries(named) } : body;
}

/**
 * One request to `route`; an answer that never comes is reported as status 0
 * (`NO_ANSWER_IN_5S`) instead of hanging the test.
 */
export async function callRoute(
  app: App,
  route: RouteEntry,
  ids: Record<string, string>,
  headers: Record<string, string>,
  body: unknown,
): Promise<Answer> {
  const name = routeName(route);
  if (streams(route) && body === undefined) {
    return callStream(app, route, fill(route.url, ids), headers);
  }
  const controller = new AbortController();
  const deadline = setTimeout(() => {
    controller.abort();
  }, 5_000);
  const response = await Promise.race([
    app.inject({
      method: route.method as 'GET',
      url: fill(route.url, ids) + sampleQuery(route, ids),
      headers,
      ...(body === undefined
        ? {}
        : { payload: withFixtures(body, ids) as Record<string, unknown> }),
    }),
    new Promise<undefined>((resolve) => {
      controller.signal.addEventListener('abort', () => {
        resolve(undefined);
      });
    }),
  ]).finally(() => {
    clearTimeout(deadline);
  });
  if (!response) return { route: name, status: 0, code: 'NO_ANSWER_IN_5S' };
  const error =
    response.headers['content-type']?.includes('application/json') === true
      ? response.json<{ error?: Omit<Answer, 'route' | 'status'> }>().error
      : undefined;
  return {
    route: name,
    status: response.statusCode,
    code: error?.code,
    message: error?.message,
    details: error?.details,
  };
}

// GET /v1/openapi.json: OpenAPI 3.1, generated from the routes' zod schemas (the ones that
// validate requests) by zod's own JSON Schema output; nothing here is written by hand but
// the document's frame.
import { z } from 'zod';

import type { ApiRoute } from './route.js';
import { apiSchemas, ErrorBody } from './schemas/common.js';

const REF = (id: string) => `#/components/schemas/${id}`;
const COMMON_ERRORS = [401, 403, 429, 500];
const ERROR_TEXT: Record<number, string> = {
  400: 'Bad request',
  401: 'Missing, invalid or revoked API key',
  403: 'The key lacks the scope or permission',
  404: 'Not found',
  409: 'Conflict (run not active, invalid transition, archived runbook, awaiting_approval)',
  413: 'Body larger than 1 MB',
  415: 'Body is not application/json',
  422: 'Validation error: every problem with its path',
  429: 'Rate limit reached; see Retry-After',
  500: 'Server error; nothing was changed',
};

type JsonSchema = Record<string, unknown>;

/** Bodies and answers are registered schemas (schemas/): the document names them. */
function schemaFor(schema: z.ZodType): JsonSchema {
  const id = apiSchemas.get(schema)?.id;
  if (!id) throw new Error('an API body or answer schema is not registered in apiSchemas (schemas/common.ts named())');
  return { $ref: REF(id) };
}

function components(requestIds: ReadonlySet<string>): Record<string, JsonSchema> {
  // Requests are read as input (defaults optional), answers described as output.
  const all = z.toJSONSchema(apiSchemas, { io: 'output', unrepresentable: 'any', uri: REF }) as { schemas: Record<string, JsonSchema> };
  const inputs = z.toJSONSchema(apiSchemas, { io: 'input', unrepresentable: 'any', uri: REF }) as { schemas: Record<string, JsonSchema> };
  const out: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(all.schemas)) {
    const chosen = requestIds.has(id) ? (inputs.schemas[id] as JsonSchema) : schema;
    const { $schema: _schema, $id: _id, ...rest } = chosen;
    out[id] = rest;
  }
  return out;
}

function parameters(route: ApiRoute): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, schema] of [['path', route.params], ['query', route.query]] as const) {
    if (!schema) continue;
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, prop] of Object.entries(json.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema: prop });
    }
  }
  return out;
}

export function buildOpenApi(routes: readonly ApiRoute[], info: { version: string }): JsonSchema {
  const requestIds = new Set(routes.flatMap((route) => (route.body ? [apiSchemas.get(route.body)?.id ?? ''] : [])));
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([a-z_]+)/g, '{$1}');
    const responses: Record<string, JsonSchema> = {
      [route.success.status]: route.success.schema
        ? { description: 'Success', content: { 'application/json': { schema: schemaFor(route.success.schema) } } }
        : { description: 'Success, no body' },
    };
    for (const status of [...route.errors, ...(route.body ? [413, 415] : []), ...COMMON_ERRORS]) {
      responses[status] = { description: ERROR_TEXT[status] ?? 'Error', content: { 'application/json': { schema: schemaFor(ErrorBody) } } };
    }
    (paths[path] ??= {})[route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      'x-scope': route.scope,
      parameters: [
        ...parameters(route),
        ...(route.method === 'GET' ? [] : [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 } }]),
      ],
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaFor(route.body) } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'runbook-bot API', version: info.version, description: 'Runbooks and runs for agents and scripts (reference 002’s API, with runbook-bot’s lifecycle and gates), and device playbooks (reference 001’s).' },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths,
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }, schemas: components(requestIds) },
  };
}

// The REST API on plain node:http: match a route, authenticate the key, count it against the
// rate limit, read and validate the request, replay an answer already given to the same
// Idempotency-Key, call the route's handler, answer. Routes and services do the rest.
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { z } from 'zod';

import { issuesToProblems } from '../engine/definition/zod-issues.js';
import type { Logger } from '../logger.js';
import { noMetrics, type MetricsRecorder } from '../metrics/metrics.js';
import type { Principal } from '../services/principal.js';
import type { Runbooks } from '../services/runbooks.js';
import type { Runs } from '../services/runs.js';
import { errorAnswer, HttpError, validationError } from './api-error.js';
import { bearerToken, readBody, sendJson } from './http-io.js';
import { parseIdempotencyKey, requestFingerprint, type IdempotencyStore } from './idempotency-store.js';
import { buildOpenApi } from './openapi.js';
import type { RateLimiter } from './rate-limiter.js';
import type { Answer, ApiRoute } from './route.js';
import { playbookRoutes } from './routes/playbook-routes.js';
import { runRoutes } from './routes/run-routes.js';
import { runbookRoutes } from './routes/runbook-routes.js';
import { stepRoutes } from './routes/step-routes.js';

export interface ApiDeps {
  runs: Runs;
  runbooks: Runbooks;
  authenticate(token: string | null): Promise<Principal>;
  limiter: RateLimiter;
  idempotency: IdempotencyStore;
  logger: Logger;
  version: string;
  /** Each request is counted by its route's pattern (`/v1/runbooks/runs/:run_id`), never its raw path. */
  metrics?: Pick<MetricsRecorder, 'apiRequest'>;
}

/** How long a request waits for another with the same Idempotency-Key to be answered, and how often it looks. */
const KEY_WAIT_MS = 15_000;
const KEY_POLL_MS = 50;

/** The route label of a request no route matches: raw paths would grow the label set without bound. */
export const UNMATCHED_ROUTE = 'unmatched';

/** What the request turned out to be, once routed: its label, and the run it names for the logs. */
interface Routed {
  route: string;
  runId?: string;
}

/** Every route, literal paths before the parameterised ones they would otherwise match. */
export function apiRoutes(services: { runs: Runs; runbooks: Runbooks }): ApiRoute[] {
  return [...runRoutes(services.runs), ...stepRoutes(services.runbooks), ...runbookRoutes(services.runbooks), ...playbookRoutes(services)];
}

interface Compiled {
  route: ApiRoute;
  pattern: RegExp;
  names: string[];
}

function compile(route: ApiRoute): Compiled {
  const names: string[] = [];
  const source = route.path.replace(/:([a-z_]+)/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}/?$`), names };
}

/** Body problems keep their own paths (`steps[2].label`); path and query ones say where. */
function validation(where: string, issues: readonly z.core.$ZodIssue[]): HttpError {
  return validationError(
    issuesToProblems(issues).map((p) => ({ path: p.path === '(document)' ? where : where === 'body' ? p.path : `${where}.${p.path}`, message: p.message })),
  );
}

function parsePart<S extends z.ZodType>(schema: S | undefined, value: unknown, where: string): unknown {
  if (!schema) return undefined;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validation(where, parsed.error.issues);
  return parsed.data;
}

/** A request listener for `/v1/…`; returns false for any other path. */
export function createApi(deps: ApiDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const routes = apiRoutes(deps).map(compile);
  const openapi = buildOpenApi(routes.map((c) => c.route), { version: deps.version });

  const metrics = deps.metrics ?? noMetrics;

  async function handle(req: IncomingMessage, res: ServerResponse, path: string, search: URLSearchParams, routed: Routed): Promise<void> {
    const method = req.method ?? 'GET';
    const matches = routes.map((c) => ({ c, m: c.pattern.exec(path) })).filter((x) => x.m !== null);
    const found = matches.find((x) => x.c.route.method === method);
    routed.route = (found ?? matches[0])?.c.route.path ?? UNMATCHED_ROUTE;
    if (found && found.c.names.includes('run_id')) routed.runId = found.m?.[found.c.names.indexOf('run_id') + 1];
    if (!found) {
      if (matches.length > 0) {
        const allow = [...new Set(matches.map((x) => x.c.route.method))].join(', ');
        throw new HttpError(405, 'method_not_allowed', `${method} is not allowed on ${path} (allowed: ${allow})`, { allow });
      }
      throw new HttpError(404, 'not_found', `no endpoint ${method} ${path}`);
    }
    const { route, names } = found.c;
    const who = await deps.authenticate(bearerToken(req));
    const limit = await deps.limiter.hit(who.actor.name ?? who.actor.id);
    const limitHeaders = { 'x-ratelimit-limit': String(limit.limit), 'x-ratelimit-remaining': String(limit.remaining) };
    if (!limit.allowed) {
      throw new HttpError(429, 'rate_limited', `rate limit of ${limit.limit} requests a minute reached; retry in ${limit.retryAfterSeconds} s`, {
        ...limitHeaders,
        'retry-after': String(limit.retryAfterSeconds),
      });
    }
    const text = method === 'GET' || method === 'DELETE' ? '' : await readBody(req);
    const key = method === 'GET' ? null : parseIdempotencyKey(req.headers['idempotency-key']);
    // Only a request with a key is remembered, so only then is its body hashed.
    const fingerprint = key === null ? '' : requestFingerprint(method, path, text);
    if (key !== null) {
      const earlier = await earlierAnswer(who.actor.id, key);
      if (earlier && earlier.fingerprint !== fingerprint) {
        throw new HttpError(422, 'validation_error', `Idempotency-Key "${key}" was already used with a different request; use a new key for a new request`);
      }
      if (earlier) return sendJson(res, earlier.status, earlier.body, { ...limitHeaders, 'idempotency-replayed': 'true' });
    }
    try {
      const answer = await answerFor(route, req, who, text, names, found.m as RegExpExecArray, search, key).catch((error: unknown) => failure(error, method, path, routed));
      if (key !== null && answer.status < 500) {
        await deps.idempotency.put(who.actor.id, key, { fingerprint, status: answer.status, body: answer.body ?? null });
      }
      sendJson(res, answer.status, answer.body, { ...limitHeaders, ...('headers' in answer ? (answer.headers as Record<string, string>) : {}) });
    } finally {
      if (key !== null) await deps.idempotency.end(who.actor.id, key);
    }
  }

  /**
   * The answer stored for the key, once no other request with it is being handled (a retry
   * sent while the first is still under way waits for that one's answer instead of being
   * handled again and perhaps answered differently); null when this request takes the key.
   */
  async function earlierAnswer(owner: string, key: string) {
    for (let waited = 0; ; waited += KEY_POLL_MS) {
      const stored = await deps.idempotency.get(owner, key);
      if (stored) return stored;
      if (await deps.idempotency.begin(owner, key)) {
        // The request before may have stored its answer and let go between the two reads.
        const answered = await deps.idempotency.get(owner, key);
        if (answered) await deps.idempotency.end(owner, key);
        return answered;
      }
      if (waited >= KEY_WAIT_MS) {
        throw new HttpError(409, 'conflict', `a request with Idempotency-Key "${key}" is still being handled; send it again in a moment to get its answer`, { 'retry-after': '1' });
      }
      await new Promise((resolve) => setTimeout(resolve, KEY_POLL_MS));
    }
  }

  async function answerFor(
    route: ApiRoute,
    req: IncomingMessage,
    who: Principal,
    text: string,
    names: string[],
    match: RegExpExecArray,
    search: URLSearchParams,
    key: string | null,
  ): Promise<Answer> {
    const params = Object.fromEntries(names.map((name, i) => [name, decodePathPart(name, match[i + 1] ?? '')]));
    let json: unknown = {};
    if (route.body) {
      const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      if (text.trim() !== '' && type !== 'application/json') {
        throw new HttpError(415, 'unsupported_media_type', `send the body as application/json (got ${type || 'no content type'})`);
      }
      try {
        json = text.trim() === '' ? {} : JSON.parse(text);
      } catch (e) {
        throw validationOf('body', `is not valid JSON: ${(e as Error).message}`);
      }
      if (typeof json !== 'object' || json === null || Array.isArray(json)) throw validationOf('body', 'must be a JSON object');
    }
    return route.handle({
      who,
      params: parsePart(route.params, params, 'path'),
      query: parsePart(route.query, Object.fromEntries(search), 'query'),
      body: route.rawBody ? json : parsePart(route.body, json, 'body'),
      idempotencyKey: key ?? undefined,
    });
  }

  const failure = (error: unknown, method: string, path: string, routed: Routed) =>
    errorAnswer(error, deps.logger, { method, path, ...(routed.runId === undefined ? {} : { run_id: routed.runId }) });

  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/v1/') && url.pathname !== '/v1') return false;
    const routed: Routed = { route: UNMATCHED_ROUTE };
    res.once('finish', () => metrics.apiRequest(req.method ?? 'GET', routed.route, res.statusCode));
    if (url.pathname === '/v1/openapi.json' && req.method === 'GET') {
      routed.route = url.pathname;
      sendJson(res, 200, openapi);
      return true;
    }
    handle(req, res, url.pathname, url.searchParams, routed).catch((error: unknown) => {
      const answer = failure(error, req.method ?? 'GET', url.pathname, routed);
      if (!res.headersSent) sendJson(res, answer.status, answer.body, answer.headers);
    });
    return true;
  };
}

const validationOf = (path: string, message: string) => validationError([{ path, message }]);

function decodePathPart(name: string, raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw validationOf(`path.${name}`, `is not valid percent-encoding: ${JSON.stringify(raw.slice(0, 100))}`);
  }
}

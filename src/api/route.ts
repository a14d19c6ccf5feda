// One route of the API: its method and path, the zod schemas of what it reads and answers
// (the OpenAPI document is generated from these), and the handler that calls one service
// method and presents the result.
import type { z } from 'zod';

import type { ApiScope } from '../models/api-key-names.js';
import type { Principal } from '../services/principal.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteContext<P, Q, B> {
  who: Principal;
  params: P;
  query: Q;
  body: B;
  /** The request's Idempotency-Key header, when it has one. */
  idempotencyKey: string | undefined;
}

export interface Answer {
  status: number;
  body?: unknown;
}

export interface ApiRoute<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> {
  method: Method;
  /** `/v1/runbooks/:id/steps/:step_id`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  /** The scope the service asks of an API key, for the document (the service enforces it). */
  scope: ApiScope;
  params?: P;
  query?: Q;
  body?: B;
  /** true: the body is handed over as parsed JSON and the service validates it (runbook definitions). */
  rawBody?: boolean;
  /** Status of success and the schema of its body (null: no body). */
  success: { status: number; schema: z.ZodType | null };
  /** Error statuses this route may answer besides 401, 403, 429 and 500. */
  errors: number[];
  handle(ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>>): Promise<Answer>;
}

/** Keeps each route's handler typed by its own schemas. */
export function defineRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(route: ApiRoute<P, Q, B>): ApiRoute {
  return route as unknown as ApiRoute;
}

/** The fields a request gave: optional fields left out are absent, not `undefined`, for the services. */
export function definedFields<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}

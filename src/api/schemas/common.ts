// Shapes every endpoint shares: the error body, pagination, ids, times. Registered with ids
// so the OpenAPI document refers to them by name (#/components/schemas/NAME).
import { z } from 'zod';

import { JsonObjectSource, JsonValueSource } from '../../engine/definition/index.js';

/** Every schema the OpenAPI document names; the document is generated from this registry. */
export const apiSchemas = z.registry<{ id: string }>();

export const named = <T extends z.ZodType>(id: string, schema: T): T => {
  apiSchemas.add(schema, { id });
  return schema;
};

export const JsonValue = named('JsonValue', JsonValueSource);
export const JsonObject = named('JsonObject', JsonObjectSource);

export const ERROR_CODES = [
  'not_found',
  'conflict',
  'validation_error',
  'awaiting_approval',
  'unauthorized',
  'forbidden',
  'rate_limited',
  'payload_too_large',
  'unsupported_media_type',
  'method_not_allowed',
  'internal_error',
  'service_unavailable',
] as const;
export type ApiErrorCode = (typeof ERROR_CODES)[number];

export const ErrorBody = named(
  'Error',
  z.object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      docs: z.string().optional(),
      /** validation_error: every problem, each with the path of the field at fault. */
      problems: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
      /** awaiting_approval: who may decide the gate. */
      approvers: z.array(z.string()).optional(),
      /** forbidden on reference 001's execute: the runbook's required permissions the key lacks. */
      missingPermissions: z.array(z.string()).optional(),
    }),
  }),
);
export type ErrorBody = z.infer<typeof ErrorBody>;

export const Pagination = named(
  'Pagination',
  z.object({ has_more: z.boolean(), next_cursor: z.string().nullable(), limit: z.int() }),
);

/** ISO 8601 in UTC, e.g. 2026-03-17T14:00:00.000Z. */
/** A list answer's pagination: `next_cursor` of the page the store gave, and the limit asked for. */
export const paginationOf = (page: { next_cursor: string | null }, limit: number): z.infer<typeof Pagination> => ({
  has_more: page.next_cursor !== null,
  next_cursor: page.next_cursor,
  limit,
});

export const Timestamp = z.iso.datetime();

export const Limit = z.coerce.number().int().min(1).max(100).default(20);
export const Cursor = z.string().min(1).max(500).optional();

export const RunbookIdParam = z.object({ id: z.string().min(1).max(300) });
export const RunIdParam = z.object({ run_id: z.string().min(1).max(100) });
export const StepIdParam = z.object({ id: z.string().min(1).max(300), step_id: z.string().min(1).max(100) });

export const Message = named('Message', z.object({ data: z.object({ message: z.string() }) }));

export const iso = (ms: number | Date | null): string | null => (ms === null ? null : new Date(ms).toISOString());

// Times in alert payloads are RFC 3339 strings (Alertmanager sends nanoseconds and zone
// offsets). Only the payload's own times are read: the parsers never look at a clock.
import { z } from 'zod';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Epoch ms, or null when the text is not an RFC 3339 time. */
export function parseTimestamp(value: string): number | null {
  if (!RFC3339.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

export const Timestamp = z
  .string()
  .refine((value) => parseTimestamp(value) !== null, { message: 'must be an RFC 3339 time such as 2024-06-10T08:00:00Z' });

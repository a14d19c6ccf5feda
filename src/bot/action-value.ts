// Button values are untrusted input: Slack echoes back whatever we rendered, but anyone
// who can sign a request can send anything. Short keys keep values far under 2,000 chars.
import { z } from 'zod';

import { COMMAND_LIMITS } from '../engine/index.js';

/** What a run button points at: the run, the step and visit it was rendered for, and an outcome. */
export const RunActionValue = z.object({
  r: z.string().regex(/^run_[A-Za-z0-9]{1,64}$/, { error: 'must be a run id' }),
  s: z.string().min(1).max(64).optional(),
  v: z.number().int().min(0).optional(),
  o: z.string().min(1).max(COMMAND_LIMITS.outcomeChars).optional(),
});
export type RunActionValue = z.infer<typeof RunActionValue>;

export function encodeRunActionValue(value: RunActionValue): string {
  return JSON.stringify(value);
}

/** The run a button value names, for the log line of a click that failed; undefined when it names none. */
export function runIdOfValue(raw: string | undefined): string | undefined {
  try {
    const value: unknown = JSON.parse(raw ?? '');
    return RunActionValue.shape.r.safeParse(typeof value === 'object' && value !== null ? (value as { r?: unknown }).r : undefined).data;
  } catch {
    return undefined;
  }
}

/** Parses a button value; throws a ZodError (or SyntaxError) on anything else. */
export function decodeRunActionValue(raw: string): RunActionValue {
  return RunActionValue.parse(JSON.parse(raw));
}

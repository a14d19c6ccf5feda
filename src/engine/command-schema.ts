import { z } from 'zod';
import { ACTOR_KINDS, type Command, type JsonValue } from './types.js';

/** Limits from reference 002, applied to every command whatever door it came through. */
export const COMMAND_LIMITS = {
  outcomeChars: 100,
  notesChars: 10_000,
  outputBytes: 50 * 1024,
  reasonChars: 1_000,
  keyChars: 200,
  errorChars: 10_000,
} as const;

export const OUTCOME_PATTERN = /^[a-z0-9_-]+$/;

const JsonValueSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(JsonValueSchema), z.record(z.string(), JsonValueSchema)]),
);

const encoder = new TextEncoder();
function byteLength(value: unknown): number {
  return encoder.encode(JSON.stringify(value) ?? '').length;
}

const Output = JsonValueSchema.refine((v) => byteLength(v) <= COMMAND_LIMITS.outputBytes, {
  message: `must be at most ${COMMAND_LIMITS.outputBytes} bytes when serialised`,
});
const Notes = z.string().max(COMMAND_LIMITS.notesChars);
const Outcome = z
  .string()
  .min(1)
  .max(COMMAND_LIMITS.outcomeChars)
  .regex(OUTCOME_PATTERN, 'must use only lowercase letters, digits, "_" and "-"');

export const ActorSchema = z.object({
  kind: z.enum(ACTOR_KINDS),
  id: z.string().min(1).max(100),
  name: z.string().max(200).optional(),
  groups: z.array(z.string().min(1).max(100)).max(500).optional(),
});

const base = {
  actor: ActorSchema,
  key: z.string().min(1).max(COMMAND_LIMITS.keyChars).optional(),
  source: z.string().max(200).optional(),
};
const target = { step_id: z.string().min(1).max(100).optional(), visit: z.number().int().min(1).optional() };
const pinned = { step_id: z.string().min(1).max(100), visit: z.number().int().min(1) };

export const CommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), ...base }),
  z.object({ type: z.literal('advance'), ...base, ...target, outcome: Outcome.optional(), notes: Notes.optional(), output: Output.optional() }),
  z.object({ type: z.literal('skip'), ...base, ...target, notes: Notes.optional() }),
  z.object({ type: z.literal('fail'), ...base, ...target, notes: Notes.optional(), output: Output.optional() }),
  z.object({ type: z.literal('pause'), ...base, reason: z.string().max(COMMAND_LIMITS.reasonChars).optional() }),
  z.object({ type: z.literal('resume'), ...base }),
  z.object({ type: z.literal('cancel'), ...base, reason: z.string().max(COMMAND_LIMITS.reasonChars).optional() }),
  z.object({ type: z.literal('retry'), ...base }),
  z.object({ type: z.literal('approve'), ...base, ...target, notes: Notes.optional() }),
  z.object({ type: z.literal('reject'), ...base, ...target, notes: Notes.optional() }),
  z.object({ type: z.literal('wait_elapsed'), ...base, ...pinned }),
  // A step's deadline names the step's visit; the run's deadline names none.
  z.discriminatedUnion('kind', [
    z.object({ type: z.literal('timer_fired'), ...base, ...pinned, kind: z.enum(['step_timeout', 'step_reminder', 'approval_timeout']) }),
    z.object({ type: z.literal('timer_fired'), ...base, kind: z.literal('run_timeout') }),
  ]),
  z.object({ type: z.literal('run_tool'), ...base, ...target }),
  z.object({
    type: z.literal('tool_result'),
    ...base,
    ...pinned,
    ok: z.boolean(),
    try: z.number().int().min(1).optional(),
    output: JsonValueSchema.optional(),
    error: z.string().max(COMMAND_LIMITS.errorChars).optional(),
  }),
]) satisfies z.ZodType<Command>;

/** One line per problem, each naming the field: `outcome: must use only lowercase letters...`. */
export function describeCommandIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : '(command)';
    return `${path}: ${issue.message}`;
  });
}

// Reference 002's run bodies and answers: start, advance / skip / fail, status changes, the
// run, its current step (the resume endpoint) and lists.
import { z } from 'zod';

import { COMMAND_LIMITS, OUTCOME_PATTERN, RUN_STATUSES, STEP_STATUSES, STEP_TYPES, VARIABLE_VALUE_MAX_CHARS } from '../../engine/index.js';
import { DeviceId } from '../../models/device-model.js';
import { Cursor, JsonObject, JsonValue, Limit, named, Pagination, Timestamp } from './common.js';

const encoder = new TextEncoder();
const Notes = z.string().max(COMMAND_LIMITS.notesChars);
const Output = JsonObject.nullable().refine((v) => encoder.encode(JSON.stringify(v)).length <= COMMAND_LIMITS.outputBytes, {
  message: `must be at most ${COMMAND_LIMITS.outputBytes} bytes (50 KB) when serialised`,
});
const Outcome = z.string().min(1).max(COMMAND_LIMITS.outcomeChars).regex(OUTCOME_PATTERN, 'must use only lowercase letters, digits, "_" and "-"');

/** The values a start gives a runbook's variables. */
export const StartVariables = z.record(z.string().max(50), z.string().max(VARIABLE_VALUE_MAX_CHARS));

export const StartRunBody = named(
  'StartRun',
  z.strictObject({
    variables: StartVariables.optional(),
    /** Ours: a Slack channel id that gets the run's live message. */
    channel: z.string().regex(/^[CGD][A-Z0-9]{2,}$/, 'must be a Slack channel id such as C024BE91L').optional(),
    /** Ours: the device the run's tool steps act on (a runner must serve it). */
    device_id: DeviceId.optional(),
  }),
);
export const AdvanceBody = named('AdvanceStep', z.strictObject({ outcome: Outcome.optional(), notes: Notes.optional(), output: Output.optional() }));
export const SkipBody = named('SkipStep', z.strictObject({ notes: Notes.optional() }));
export const FailBody = named('FailStep', z.strictObject({ notes: Notes.optional(), output: Output.optional() }));
export const DecideBody = named(
  'DecideGate',
  z.strictObject({
    notes: Notes.optional(),
    /** Ours: the step and visit the approver saw (get current step); a decision on anything else is refused as stale. */
    step_id: z.string().min(1).max(100).optional(),
    visit: z.int().min(1).optional(),
  }),
);
export const UpdateRunBody = named('UpdateRun', z.strictObject({ status: z.enum(['running', 'paused', 'cancelled']) }));

const StatusList = z
  .string()
  .max(200)
  .transform((text, ctx) => {
    const statuses = text.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = statuses.filter((s) => !(RUN_STATUSES as readonly string[]).includes(s));
    if (unknown.length > 0) ctx.addIssue({ code: 'custom', message: `unknown status ${unknown.join(', ')}: use ${RUN_STATUSES.join(', ')}` });
    return statuses as (typeof RUN_STATUSES)[number][];
  });
export const ListRunsQuery = z.strictObject({
  status: StatusList.optional(),
  runbook_id: z.string().max(300).optional(),
  started_after: z.union([z.iso.datetime({ offset: true }), z.iso.date()]).optional(),
  limit: Limit,
  cursor: Cursor,
});

export const Progress = named(
  'Progress',
  z.object({ total_steps: z.int(), completed: z.int(), skipped: z.int(), failed: z.int(), remaining: z.int() }),
);

export const Approval = named(
  'Approval',
  z.object({
    state: z.enum(['waiting', 'approved', 'rejected']),
    /** Slack users (U…), user groups (S…) and API keys (apikey:NAME); empty: anyone in the channel. */
    approvers: z.array(z.string()),
    decided_by: z.string().nullable(),
    /** Distinct approvals the step needs, and who has given one so far (in order). */
    approvals_required: z.int(),
    approved_by: z.array(z.string()),
    /** When the approvers' time is up (approval_timeout_seconds), or null. */
    approval_deadline: z.string().nullable(),
  }),
);

export const CurrentStep = named(
  'CurrentStep',
  z.object({
    id: z.string(),
    label: z.string(),
    instruction: z.string(),
    type: z.enum(STEP_TYPES),
    required: z.boolean(),
    status: z.enum(STEP_STATUSES),
    /** Ours: which visit of the step this is; approve and reject may name it to bind the decision to it. */
    visit: z.int(),
    outcome: z.string().nullable(),
    /** Ours: gates (and hybrid acts) say whether a person has decided. */
    approval: Approval.nullable(),
    /** Ours: a wait step says when it is due. */
    due_at: Timestamp.nullable(),
  }),
);

const runHead = {
  id: z.string(),
  runbook_id: z.string(),
  runbook_name: z.string(),
  /** Ours: the runbook version this run is pinned to. */
  runbook_version: z.int(),
  status: z.enum(RUN_STATUSES),
  progress: Progress,
  started_at: Timestamp.nullable(),
  completed_at: Timestamp.nullable(),
};

export const Run = named(
  'Run',
  z.object({
    ...runHead,
    variables: z.record(z.string(), z.string()),
    /** Ours: the device the run's tool steps act on. */
    device_id: z.string().nullable(),
    current_step: CurrentStep.nullable(),
    started_by: z.string(),
    driver: z.enum(['person', 'agent']),
    error_message: z.string().nullable(),
    slack: z.union([z.object({ channel: z.string(), ts: z.string() }), z.object({ channel: z.string(), error: z.string() })]).nullable().optional(),
  }),
);

export const RunStep = named(
  'RunStep',
  z.object({
    step_id: z.string(),
    label: z.string(),
    instruction: z.string(),
    type: z.enum(STEP_TYPES),
    required: z.boolean(),
    position: z.int(),
    status: z.enum(STEP_STATUSES),
    outcome: z.string().nullable(),
    notes: z.string().nullable(),
    output: JsonValue,
    started_at: Timestamp.nullable(),
    completed_at: Timestamp.nullable(),
    actor: z.string().nullable(),
  }),
);

export const RunDetail = named(
  'RunDetail',
  z.object({
    ...runHead,
    variables: z.record(z.string(), z.string()),
    device_id: z.string().nullable(),
    current_step: CurrentStep.nullable(),
    steps: z.array(RunStep),
    started_by: z.string(),
    driver: z.enum(['person', 'agent']),
    error_message: z.string().nullable(),
  }),
);

export const CompletedStep = named(
  'CompletedStep',
  z.object({ id: z.string(), label: z.string(), status: z.enum(STEP_STATUSES), outcome: z.string().nullable(), completed_at: Timestamp.nullable() }),
);

export const Current = named(
  'Current',
  z.object({
    run_id: z.string(),
    run_status: z.enum(RUN_STATUSES),
    current_step: CurrentStep.nullable(),
    progress: Progress,
    completed_steps: z.array(CompletedStep),
    variables: z.record(z.string(), z.string()),
    error_message: z.string().nullable(),
  }),
);

export const RunSummary = named('RunSummary', z.object(runHead));

export const RunResponse = named('RunResponse', z.object({ data: Run }));
export const RunDetailResponse = named('RunDetailResponse', z.object({ data: RunDetail }));
export const CurrentResponse = named('CurrentResponse', z.object({ data: Current }));
export const RunListResponse = named('RunList', z.object({ data: z.array(RunSummary), pagination: Pagination }));
export const RunStatusResponse = named('RunStatus', z.object({ data: z.object({ id: z.string(), status: z.enum(RUN_STATUSES) }) }));

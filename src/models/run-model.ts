import { Schema, type Connection, type Model } from 'mongoose';
import { ActorSchema, AuditEntrySchema } from './run-event-model.js';

// User JSON (outputs, tool input/output, trigger context) is stored as JSON text: users may
// write keys with "." or a leading "$", which MongoDB-compatible servers reject or misread,
// and the text round-trips exactly whatever the keys.


const RunStepSchema = new Schema(
  {
    id: { type: String, required: true },
    step_id: { type: String, required: true },
    status: { type: String, required: true },
    visit: { type: Number, required: true },
    visits: { type: Number, required: true },
    outcome: { type: String, default: null },
    notes: { type: String, default: null },
    output_json: { type: String, default: 'null' },
    tool_input_json: { type: String, default: 'null' },
    tool_output_json: { type: String, default: 'null' },
    held_result_json: { type: String, default: 'null' },
    error: { type: String, default: null },
    tool_tries: { type: Number, default: 0 },
    tool_running: { type: Boolean, default: false },
    awaiting_approval: { type: Boolean, default: false },
    reminded: { type: Boolean, default: false },
    escalated: { type: Boolean, default: false },
    approvals: { type: [new Schema({ by: { type: ActorSchema, required: true }, at: { type: Date, required: true } }, { _id: false })], default: [] },
    /** A gate of an agent run: who approved or rejected it before the agent advanced. */
    decided_by: { type: ActorSchema, default: null },
    started_at: { type: Date, default: null },
    completed_at: { type: Date, default: null },
    duration_ms: { type: Number, default: null },
    actor: { type: ActorSchema, default: null },
  },
  { _id: false },
);

const WaitSchema = new Schema(
  { kind: { type: String, required: true }, step_id: { type: String, required: true }, visit: { type: Number, required: true }, due_at: { type: Date, required: true } },
  { _id: false },
);

/** A deadline (Run.timers): a step's, or the run's own, which names no step. */
const TimerSchema = new Schema(
  { kind: { type: String, required: true }, step_id: { type: String, default: null }, visit: { type: Number, default: null }, due_at: { type: Date, required: true } },
  { _id: false },
);

export const RunSchema = new Schema(
  {
    _id: { type: String, required: true },
    runbook_id: { type: String, required: true },
    runbook_name: { type: String, required: true },
    runbook_version: { type: Number, required: true },
    /**
     * Runs stored before versions were pinned by reference carry a copy of theirs; newer runs
     * read `runbook_versions` (immutable, cached) by runbook_id and runbook_version.
     */
    runbook_json: { type: String, default: undefined },
    status: { type: String, required: true },
    variables_json: { type: String, required: true },
    /** The run's device (Run.device_id), queryable: a device's runs (`/runbook device ID`, 001's executions). */
    device_id: { type: String, default: null },
    started_by: { type: ActorSchema, required: true },
    /** `person` or `agent` (RunDriver); runs stored before it existed have none and are `person`. */
    driver: { type: String, default: 'person' },
    trigger_source: { type: String, required: true },
    trigger_context_json: { type: String, required: true },
    steps: { type: [RunStepSchema], required: true },
    current_step_id: { type: String, default: null },
    visit_count: { type: Number, required: true },
    wait: { type: WaitSchema, default: null },
    /** The current step's deadlines (Run.timers); the wait reconciler puts their timers back. */
    timers: { type: [TimerSchema], default: [] },
    rollback_queue: { type: [String], default: null },
    rollback_executed: { type: Boolean, required: true },
    error_message: { type: String, default: null },
    applied_keys: { type: [String], default: [] },
    keys_evicted: { type: Boolean, default: false },
    /**
     * Whether a step's tool call is out (derived from the steps): the tool reconciler selects
     * on it, so a document is written whenever it changes. Documents stored before it existed
     * have none and are read as possibly out.
     */
    tool_call_out: { type: Boolean, default: false },
    /**
     * The seq of the last audit event this document reflects. Every transition first inserts
     * its event (`_id` `<run id>-<seq>`; the unique `_id` makes that insert the claim), then
     * brings this document to it; events past this seq are applied on read.
     */
    audit_seq: { type: Number, required: true },
    /** Runs stored before events were written first: entries copied to run_events on read. */
    audit_outbox: { type: [AuditEntrySchema], default: undefined },
    created_at: { type: Date, required: true },
    started_at: { type: Date, default: null },
    completed_at: { type: Date, default: null },
    updated_at: { type: Date, required: true },
  },
  { collection: 'runs', versionKey: false, minimize: false },
);

// `/runbook runs [status]` and the API's list: runs in a status, most recently moved first.
RunSchema.index({ status: 1, updated_at: -1 });
// Runs of one runbook, newest first (history on a runbook, "has active runs?").
RunSchema.index({ runbook_id: 1, created_at: -1 });
// App Home: a user's runs by status.
RunSchema.index({ 'started_by.id': 1, status: 1 });
// The wait reconciler: runs holding a wait, soonest due first.
RunSchema.index({ 'wait.due_at': 1 });
RunSchema.index({ 'timers.due_at': 1 });
// A device's runs, newest first.
RunSchema.index({ device_id: 1, created_at: -1 });
// Recent runs across all runbooks.
RunSchema.index({ created_at: -1 });

export interface TimerDoc {
  kind: string;
  step_id: string | null;
  visit: number | null;
  due_at: Date;
}

export type RunDoc = {
  _id: string;
  runbook_id: string;
  runbook_name: string;
  runbook_version: number;
  runbook_json?: string;
  status: string;
  variables_json: string;
  device_id?: string | null;
  started_by: { kind: string; id: string; name?: string; groups?: string[] };
  driver?: string;
  trigger_source: string;
  trigger_context_json: string;
  steps: Array<Record<string, unknown>>;
  current_step_id: string | null;
  visit_count: number;
  wait: { kind: string; step_id: string; visit: number; due_at: Date } | null;
  timers?: TimerDoc[];
  rollback_queue: string[] | null;
  rollback_executed: boolean;
  error_message: string | null;
  applied_keys: string[];
  keys_evicted: boolean;
  tool_call_out?: boolean;
  audit_seq: number;
  audit_outbox?: Array<Record<string, unknown>>;
  /** Runs stored before events were written first had a revision counter. */
  rev?: number;
  created_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
  updated_at: Date;
};

export function runModel(conn: Connection): Model<RunDoc> {
  return (conn.models.Run as Model<RunDoc> | undefined) ?? conn.model<RunDoc>('Run', RunSchema);
}

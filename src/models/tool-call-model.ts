// One document per tool call a runner took on: what ran where, with what, and how it ended.
// Its insert (unique _id) is how a runner that restarted mid-call knows it already started
// the call, so an `act` is never run twice.
import { Schema, type Connection, type Model } from 'mongoose';

export const TOOL_CALL_STATUSES = ['running', 'succeeded', 'failed'] as const;
export type ToolCallStatus = (typeof TOOL_CALL_STATUSES)[number];

export const ToolCallSchema = new Schema(
  {
    _id: { type: String, required: true }, // the call id
    run_id: { type: String, required: true },
    step_id: { type: String, required: true },
    visit: { type: Number, required: true },
    try: { type: Number, required: true },
    step_type: { type: String, required: true },
    device_id: { type: String, required: true },
    tool: { type: String, required: true },
    // JSON text, as on runs: tool input and output may have keys MongoDB rejects.
    input_json: { type: String, required: true },
    output_json: { type: String, default: 'null' },
    status: { type: String, enum: TOOL_CALL_STATUSES, required: true },
    error: { type: String, default: null },
    /** How many times a runner picked the call up (more than one after a runner restart). */
    deliveries: { type: Number, default: 1 },
    started_at: { type: Date, required: true },
    finished_at: { type: Date, default: null },
    duration_ms: { type: Number, default: null },
  },
  { collection: 'tool_calls', versionKey: false, minimize: false },
);
// `/runbook device ID` and the run's history list a device's or a run's calls, newest first.
ToolCallSchema.index({ device_id: 1, started_at: -1 });
ToolCallSchema.index({ run_id: 1, started_at: 1 });

export type ToolCallDoc = {
  _id: string;
  run_id: string;
  step_id: string;
  visit: number;
  try: number;
  step_type: string;
  device_id: string;
  tool: string;
  input_json: string;
  output_json: string;
  status: ToolCallStatus;
  error: string | null;
  deliveries: number;
  started_at: Date;
  finished_at: Date | null;
  duration_ms: number | null;
};

export function toolCallModel(conn: Connection): Model<ToolCallDoc> {
  return (conn.models.ToolCall as Model<ToolCallDoc> | undefined) ?? conn.model<ToolCallDoc>('ToolCall', ToolCallSchema);
}

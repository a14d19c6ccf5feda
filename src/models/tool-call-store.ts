import type { Connection } from 'mongoose';

import type { JsonObject, JsonValue } from '../engine/types.js';
import { isDuplicateKeyError } from '../errors.js';
import { toolCallModel, type ToolCallDoc, type ToolCallStatus } from './tool-call-model.js';

/** The call a runner takes on, as its job describes it. */
export type ToolCallStart = Pick<ToolCallDoc, 'run_id' | 'step_id' | 'visit' | 'try' | 'step_type' | 'device_id' | 'tool'> & { id: string; input: JsonObject };

export interface ToolCallRecord extends ToolCallStart {
  status: ToolCallStatus;
  output: JsonValue;
  error: string | null;
  deliveries: number;
  started_at: number;
  finished_at: number | null;
  duration_ms: number | null;
}

/** `new`: run it. `started`: an earlier delivery began it and never finished. `finished`: send its result again. */
export type BeginOutcome = { kind: 'new'; record: ToolCallRecord } | { kind: 'started' | 'finished'; record: ToolCallRecord };

export type ToolCallStore = ReturnType<typeof createToolCallStore>;

const toRecord = (doc: ToolCallDoc): ToolCallRecord => ({
  id: doc._id,
  run_id: doc.run_id,
  step_id: doc.step_id,
  visit: doc.visit,
  try: doc.try,
  step_type: doc.step_type,
  device_id: doc.device_id,
  tool: doc.tool,
  input: JSON.parse(doc.input_json) as JsonObject,
  status: doc.status,
  output: JSON.parse(doc.output_json ?? 'null') as JsonValue,
  error: doc.error ?? null,
  deliveries: doc.deliveries ?? 1,
  started_at: doc.started_at.getTime(),
  finished_at: doc.finished_at?.getTime() ?? null,
  duration_ms: doc.duration_ms ?? null,
});

export function createToolCallStore(conn: Connection, now: () => number = Date.now) {
  const Calls = toolCallModel(conn);

  return {
    /** Records that this runner takes the call on; says whether it was taken on before. */
    async begin(call: ToolCallStart): Promise<BeginOutcome> {
      const { id, input, ...fields } = call;
      const doc: ToolCallDoc = {
        _id: id,
        ...fields,
        input_json: JSON.stringify(input),
        output_json: 'null',
        status: 'running',
        error: null,
        deliveries: 1,
        started_at: new Date(now()),
        finished_at: null,
        duration_ms: null,
      };
      try {
        await Calls.create(doc);
        return { kind: 'new', record: toRecord(doc) };
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      const again = await Calls.findOneAndUpdate({ _id: id }, { $inc: { deliveries: 1 } }, { returnDocument: 'after', lean: true }).exec();
      const record = toRecord(again as ToolCallDoc);
      return { kind: record.status === 'running' ? 'started' : 'finished', record };
    },

    /** `startedAt` is the record's, as begin() returned it: no read to learn it again. */
    async finish(id: string, startedAt: number, result: { ok: boolean; output: JsonValue; error: string | null }): Promise<ToolCallRecord> {
      const at = now();
      const doc = await Calls.findOneAndUpdate(
        { _id: id },
        {
          $set: {
            status: result.ok ? 'succeeded' : 'failed',
            output_json: JSON.stringify(result.output ?? null),
            error: result.error,
            finished_at: new Date(at),
            duration_ms: at - startedAt,
          },
        },
        { returnDocument: 'after', lean: true },
      ).exec();
      return toRecord(doc as ToolCallDoc);
    },

    async get(id: string): Promise<ToolCallRecord | null> {
      const doc = await Calls.findById(id).lean<ToolCallDoc>().exec();
      return doc ? toRecord(doc) : null;
    },

    /** A device's most recent calls, newest first. */
    async forDevice(deviceId: string, limit = 10): Promise<ToolCallRecord[]> {
      const docs = await Calls.find({ device_id: deviceId }).sort({ started_at: -1 }).limit(limit).lean<ToolCallDoc[]>().exec();
      return docs.map(toRecord);
    },
  };
}

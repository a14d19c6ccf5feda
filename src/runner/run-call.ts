// One tool call on this machine, from its job to its result: refuse it when its time is up,
// never run an act (or a rollback) a second time after a restart, run the tool with an
// abort at the deadline.
import type { JsonValue } from '../engine/types.js';
import type { ToolCallJob } from '../jobs/tool-queue.js';
import type { CallJournal } from './call-journal.js';
import type { Machine } from './machine.js';
import type { RunnerConfig } from './runner-config.js';
import type { ToolRegistry } from './tool-registry.js';
import { ToolError } from './tools/types.js';

/** Step types whose tool changes the machine: never run twice for one call. */
const RUN_ONCE = new Set<string>(['act', 'rollback']);

export interface CallResult {
  ok: boolean;
  output: JsonValue;
  error: string | null;
}

export interface RunCallDeps {
  registry: ToolRegistry;
  calls: Pick<CallJournal, 'begin' | 'finish'>;
  config: RunnerConfig;
  machine: Machine;
  clock: () => number;
  /** Aborted when the runner stops. */
  stopping: AbortSignal;
}

/** null: the call's deadline passed before it started; the bot has already failed the step. */
export async function runCall(call: ToolCallJob, deps: RunCallDeps): Promise<CallResult | null> {
  if (deps.clock() >= call.deadline) return null;
  const begun = await deps.calls.begin({
    id: call.callId,
    run_id: call.runId,
    step_id: call.stepId,
    visit: call.visit,
    try: call.try,
    step_type: call.stepType,
    device_id: call.deviceId,
    tool: call.tool,
    input: call.input,
  });
  if (begun.kind === 'finished') {
    const { record } = begun;
    return { ok: record.status === 'succeeded', output: record.output, error: record.error };
  }
  const result =
    begun.kind === 'started' && RUN_ONCE.has(call.stepType)
      ? {
          ok: false,
          output: null,
          error:
            `"${call.tool}" was already started on ${call.deviceId} by a delivery that never reported back (its runner ` +
            `restarted, or the queue lost the call), and ${call.stepType} steps are never run twice: check the device, then retry the step`,
        }
      : await execute(call, deps);
  await deps.calls.finish(call.callId, begun.record.started_at, result);
  return result;
}

async function execute(call: ToolCallJob, deps: RunCallDeps): Promise<CallResult> {
  const signal = AbortSignal.any([deps.stopping, AbortSignal.timeout(Math.max(1, call.deadline - deps.clock()))]);
  try {
    // The registry bounds the output to the config's output_limit_chars.
    const output = await deps.registry.call(call.tool, call.input, { config: deps.config, machine: deps.machine, signal });
    return { ok: true, output, error: null };
  } catch (error) {
    if (error instanceof ToolError) return { ok: false, output: null, error: error.message };
    if (signal.aborted) return { ok: false, output: null, error: `tool "${call.tool}" was stopped: ${deps.stopping.aborted ? 'the runner is stopping' : 'its time was up'}` };
    return { ok: false, output: null, error: `tool "${call.tool}" failed: ${(error as Error).message ?? String(error)}` };
  }
}

// Redis may lose a tool call and its timeout (flushed, or the bot stopped between saving a
// run and sending its call). MongoDB knows which runs wait for a tool: send again the calls
// whose timeout Redis no longer holds. Call and timeout job ids are deterministic, so a call
// still queued is not doubled, and a runner that already answered a call answers it again
// from its record, never by running the tool twice.
import { currentStep, type Run } from '../engine/index.js';
import { mapInLanes } from '../lanes.js';
import { silentLogger, type Logger } from '../logger.js';
import { noMetrics, type MetricsRecorder } from '../metrics/metrics.js';
import type { RunStore } from '../models/run-store.js';
import { createPeriodicPass } from './periodic-pass.js';
import type { RunToolEffect, ToolDispatcher } from './tool-dispatcher.js';
import { toolCallId } from './tool-queue.js';

/** Calls looked at (and sent again) at once in a pass. */
const LANES = 10;

const toolCallIdOf = (call: RunToolEffect) => toolCallId(call.run_id, call.step_id, call.visit, call.try);

export interface ToolReconcilerOptions {
  runs: Pick<RunStore, 'toolCallsOut' | 'load'>;
  dispatcher: Pick<ToolDispatcher, 'dispatch' | 'has'>;
  logger?: Logger;
  metrics?: Pick<MetricsRecorder, 'reconcilerRepairs'>;
}

/** The call a run is waiting on, rebuilt from the stored run; null when it waits for none. */
export function pendingToolCall(run: Run): RunToolEffect | null {
  const current = currentStep(run);
  if (!current || run.status !== 'running' || run.wait !== null) return null;
  const { def, state } = current;
  if (state.status !== 'active' || !state.tool_running) return null;
  return {
    type: 'runTool',
    run_id: run.id,
    step_id: def.id,
    visit: state.visit,
    step_type: def.type,
    try: state.tool_tries,
    tool: def.tool ?? '',
    input: state.tool_input ?? {},
    timeout_seconds: def.timeout_seconds,
  };
}

export function createToolReconciler(opts: ToolReconcilerOptions) {
  const logger = opts.logger ?? silentLogger;
  const metrics = opts.metrics ?? noMetrics;
  async function pass(): Promise<{ checked: number; resent: number; restored: number }> {
    let checked = 0;
    let restored = 0;
    await mapInLanes(await opts.runs.toolCallsOut(), LANES, async (listed) => {
      checked += 1;
      const call = pendingToolCall(listed);
      // Redis keeps a call's timeout until the call is answered: while it is there, the call is
      // queued, under way or answered, and sending it again would only make the runner answer twice.
      if (!call || (await opts.dispatcher.has(call))) return;
      // Answered and applied since the list was read? Then its timeout went for that reason.
      const run = await opts.runs.load(listed.id);
      const still = pendingToolCall(run);
      if (!still || toolCallIdOf(still) !== toolCallIdOf(call)) return;
      await opts.dispatcher.dispatch(still, run);
      restored += 1;
    });
    metrics.reconcilerRepairs('tool_calls', 'restored', restored);
    return { checked, resent: restored, restored };
  }
  const periodic = createPeriodicPass('tool call reconcile', pass, logger);
  return { reconcile: periodic.run, start: periodic.start, stop: periodic.stop };
}

// Redis may lose a tool call or its timeout (flushed, or the bot stopped between saving a
// run and sending its call). MongoDB knows which runs wait for a tool: send their calls
// again. Call and timeout job ids are deterministic, so a call still queued is not doubled,
// and a runner that already answered a call answers it again from its record, never by
// running the tool twice.
import { currentStep, type Run } from '../engine/index.js';
import { silentLogger, type Logger } from '../logger.js';
import { noMetrics, type MetricsRecorder } from '../metrics/metrics.js';
import type { RunStore } from '../models/run-store.js';
import { createPeriodicPass } from './periodic-pass.js';
import type { RunToolEffect, ToolDispatcher } from './tool-dispatcher.js';

export interface ToolReconcilerOptions {
  runs: Pick<RunStore, 'toolCallsOut'>;
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
    let resent = 0;
    let restored = 0;
    for (const run of await opts.runs.toolCallsOut()) {
      checked += 1;
      const call = pendingToolCall(run);
      if (!call) continue;
      if (!(await opts.dispatcher.has(call))) restored += 1;
      await opts.dispatcher.dispatch(call, run);
      resent += 1;
    }
    metrics.reconcilerRepairs('tool_calls', 'restored', restored);
    return { checked, resent, restored };
  }
  const periodic = createPeriodicPass('tool call reconcile', pass, logger);
  return { reconcile: periodic.run, start: periodic.start, stop: periodic.stop };
}

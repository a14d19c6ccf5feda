// Which steps a transition finished, read from the run before and after it: the engine stays
// free of I/O, and the shell (run-service.ts) reports these to the metrics.
import type { Run, StepStatus, StepType } from '../engine/index.js';

export interface FinishedStep {
  step_id: string;
  type: StepType;
  outcome: Extract<StepStatus, 'completed' | 'skipped' | 'failed'>;
  duration_ms: number;
}

const FINISHED = new Set<StepStatus>(['completed', 'skipped', 'failed']);

/**
 * Steps whose visit ended between `before` and `after` (a start has no before). A visit ends
 * when the engine stamps completed_at; steps skipped without being reached have no duration
 * and are left out.
 */
export function finishedSteps(before: Run | null, after: Run): FinishedStep[] {
  const earlier = new Map((before?.steps ?? []).map((s) => [s.step_id, s]));
  const types = new Map(after.runbook.steps.map((d) => [d.id, d.type]));
  const out: FinishedStep[] = [];
  for (const state of after.steps) {
    if (!FINISHED.has(state.status) || state.completed_at === null || state.duration_ms === null) continue;
    const old = earlier.get(state.step_id);
    if (old && old.completed_at === state.completed_at && old.visit === state.visit) continue;
    const type = types.get(state.step_id);
    if (type === undefined) continue;
    out.push({ step_id: state.step_id, type, outcome: state.status as FinishedStep['outcome'], duration_ms: state.duration_ms });
  }
  return out;
}

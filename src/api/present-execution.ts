// A run of ours seen as reference 001's execution record: the same run every surface drives,
// with 001's status names, per-step results and camelCase fields. Nothing here is stored.
import type { z } from 'zod';

import type { Run, RunStatus, StepStatus } from '../engine/index.js';
import { iso } from './schemas/common.js';
import type { Execution, ExecutionResponse, ExecutionStatus, EXECUTION_STEP_STATUSES } from './schemas/playbook-schemas.js';

const EXECUTION_STATUS: Record<RunStatus, ExecutionStatus> = {
  pending: 'pending',
  running: 'running',
  waiting: 'waiting',
  // 001 has no pause: a paused run is held, like one on a wait step, and goes on when resumed.
  paused: 'waiting',
  completed: 'completed',
  failed: 'failed',
  rolled_back: 'rolled_back',
  cancelled: 'cancelled',
};

const STEP_STATUS: Record<StepStatus, (typeof EXECUTION_STEP_STATUSES)[number]> = {
  pending: 'pending',
  active: 'running',
  completed: 'completed',
  skipped: 'skipped',
  failed: 'failed',
};

/** The run statuses an execution status stands for (the list filter). */
export function runStatusesOf(status: ExecutionStatus): RunStatus[] {
  return (Object.keys(EXECUTION_STATUS) as RunStatus[]).filter((s) => EXECUTION_STATUS[s] === status);
}

/** The current step; once there is none, the step visited last (001 leaves the index where the run stopped). */
function currentStepIndex(run: Run): number {
  const current = run.runbook.steps.findIndex((s) => s.id === run.current_step_id);
  if (current >= 0) return current;
  const last = run.steps.reduce((latest, s) => (s.visit > (latest?.visit ?? 0) ? s : latest), run.steps[0]);
  return Math.max(0, run.runbook.steps.findIndex((s) => s.id === last?.step_id));
}

export function presentExecution(run: Run): z.infer<typeof Execution> {
  return {
    id: run.id,
    deviceId: run.device_id ?? '',
    playbookId: run.runbook.runbook_id,
    playbookName: run.runbook.name,
    playbookVersion: run.runbook.version,
    status: EXECUTION_STATUS[run.status],
    runStatus: run.status,
    currentStepIndex: currentStepIndex(run),
    steps: run.runbook.steps.map((def, stepIndex) => {
      const state = run.steps.find((s) => s.step_id === def.id);
      return {
        stepIndex,
        stepName: def.label,
        type: def.type,
        status: STEP_STATUS[state?.status ?? 'pending'],
        toolUsed: def.tool,
        toolInput: state?.tool_input ?? null,
        toolOutput: state?.tool_output ?? null,
        error: state?.error ?? null,
        startedAt: iso(state?.started_at ?? null),
        completedAt: iso(state?.completed_at ?? null),
        durationMs: state?.duration_ms ?? null,
      };
    }),
    context: { ...run.trigger.context, variables: run.variables },
    errorMessage: run.error_message,
    rollbackExecuted: run.rollback_executed,
    triggeredBy: run.trigger.source,
    // The system (an alert's auto-execute) is no user.
    triggeredByUserId: run.started_by.kind === 'system' ? null : run.started_by.id,
    startedAt: iso(run.started_at),
    completedAt: iso(run.completed_at),
  };
}

/** 001's answer for one execution: the record and the playbook version it runs. */
export function presentExecutionWithPlaybook(run: Run): z.infer<typeof ExecutionResponse> {
  const { runbook } = run;
  return {
    execution: presentExecution(run),
    playbook: { id: runbook.runbook_id, name: runbook.name, category: runbook.category, version: runbook.version },
  };
}

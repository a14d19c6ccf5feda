// Runs in reference 002's shapes: the run as started, the whole run, the current step (the
// resume endpoint) and list rows. Instructions come with the run's variables filled in.
import type { z } from 'zod';

import { resolvePlaceholders } from '../engine/definition/index.js';
import { computeProgress, currentStep, gateDecision, placeholderValues, type CompiledStep, type Run, type RunStep as EngineRunStep } from '../engine/index.js';
import type { RunSummary as StoredRunSummary } from '../models/run-store.js';
import type { Started } from '../services/runs.js';
import { iso } from './schemas/common.js';
import type { Current, CurrentStep, Run as RunOut, RunDetail, RunStep, RunSummary } from './schemas/run-schemas.js';

const actorName = (actor: { id: string } | null) => actor?.id ?? null;

function approvalOf(run: Run, def: CompiledStep, state: EngineRunStep): z.infer<typeof CurrentStep>['approval'] {
  const waiting = def.type === 'gate' || state.awaiting_approval;
  if (!waiting || state.status !== 'active') return null;
  const decision = gateDecision(run, def, state);
  const deadline = run.timers.find((t) => t.kind === 'approval_timeout' && t.step_id === def.id && t.visit === state.visit);
  return {
    state: decision?.outcome ?? 'waiting',
    approvers: def.approvers,
    decided_by: decision?.by.id ?? null,
    approvals_required: def.approvals_required,
    approved_by: state.approvals.map((a) => a.by.id),
    approval_deadline: deadline ? iso(deadline.due_at) : null,
  };
}

export function presentCurrentStep(run: Run): z.infer<typeof CurrentStep> | null {
  const current = currentStep(run);
  if (!current || run.status === 'completed' || run.status === 'cancelled' || run.status === 'rolled_back') return null;
  const { def, state } = current;
  return {
    id: def.id,
    label: def.label,
    instruction: resolvePlaceholders(def.instruction, placeholderValues(run)),
    type: def.type,
    required: def.required,
    status: state.status,
    visit: state.visit,
    outcome: state.outcome,
    approval: approvalOf(run, def, state),
    due_at: run.wait && run.wait.step_id === def.id ? iso(run.wait.due_at) : null,
  };
}

function head(run: Run) {
  return {
    id: run.id,
    runbook_id: run.runbook.runbook_id,
    runbook_name: run.runbook.name,
    runbook_version: run.runbook.version,
    status: run.status,
    progress: computeProgress(run),
    started_at: iso(run.started_at),
    completed_at: iso(run.completed_at),
  };
}

export function presentRun(run: Run, slack?: Started['slack']): z.infer<typeof RunOut> {
  return {
    ...head(run),
    variables: run.variables,
    device_id: run.device_id,
    current_step: presentCurrentStep(run),
    started_by: run.started_by.id,
    driver: run.driver,
    error_message: run.error_message,
    ...(slack === undefined ? {} : { slack }),
  };
}

export function presentRunDetail(run: Run): z.infer<typeof RunDetail> {
  const steps: z.infer<typeof RunStep>[] = run.runbook.steps.map((def) => {
    const state = run.steps.find((s) => s.step_id === def.id);
    return {
      step_id: def.id,
      label: def.label,
      instruction: resolvePlaceholders(def.instruction, placeholderValues(run)),
      type: def.type,
      required: def.required,
      position: def.position,
      status: state?.status ?? 'pending',
      outcome: state?.outcome ?? null,
      notes: state?.notes ?? null,
      output: state?.output ?? null,
      started_at: iso(state?.started_at ?? null),
      completed_at: iso(state?.completed_at ?? null),
      actor: actorName(state?.actor ?? null),
    };
  });
  return {
    ...head(run),
    variables: run.variables,
    device_id: run.device_id,
    current_step: presentCurrentStep(run),
    steps,
    started_by: run.started_by.id,
    driver: run.driver,
    error_message: run.error_message,
  };
}

export function presentCurrent(run: Run): z.infer<typeof Current> {
  const finished = run.steps
    .filter((s) => s.status === 'completed' || s.status === 'skipped' || s.status === 'failed')
    .sort((a, b) => (a.completed_at ?? 0) - (b.completed_at ?? 0));
  return {
    run_id: run.id,
    run_status: run.status,
    current_step: presentCurrentStep(run),
    progress: computeProgress(run),
    completed_steps: finished.map((state) => {
      const def = run.runbook.steps.find((s) => s.id === state.step_id);
      return { id: state.step_id, label: def?.label ?? state.step_id, status: state.status, outcome: state.outcome, completed_at: iso(state.completed_at) };
    }),
    variables: run.variables,
    error_message: run.error_message,
  };
}

export function presentRunSummary(run: StoredRunSummary): z.infer<typeof RunSummary> {
  return {
    id: run.id,
    runbook_id: run.runbook_id,
    runbook_name: run.runbook_name,
    runbook_version: run.runbook_version,
    status: run.status,
    progress: run.progress,
    started_at: iso(run.created_at),
    completed_at: iso(run.completed_at),
  };
}

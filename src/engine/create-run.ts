import { blankStepState } from './step-flow.js';
import { transition } from './transition.js';
import type {
  Actor,
  EngineError,
  JsonObject,
  Run,
  RunDriver,
  RunbookSnapshot,
  StartContext,
  TransitionResult,
  TriggerSource,
} from './types.js';

export const VARIABLE_VALUE_MAX_CHARS = 1000;

export interface NewRun {
  id: string;
  runbook: RunbookSnapshot;
  variables: Record<string, string>;
  started_by: Actor;
  /** Who moves the run on (see RunDriver); `person` when not given. */
  driver?: RunDriver;
  trigger?: { source: TriggerSource; context?: JsonObject };
}

/** Checks given values against the runbook's variables and fills defaults. */
export function resolveVariables(
  runbook: Pick<RunbookSnapshot, 'variables'>,
  given: Record<string, string>,
): { ok: true; variables: Record<string, string> } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const declared = new Set(runbook.variables.map((v) => v.name));
  const names = runbook.variables.map((v) => v.name).join(', ') || '(none)';
  for (const name of Object.keys(given)) {
    if (!declared.has(name)) problems.push(`unknown variable "${name}" (this runbook takes: ${names})`);
  }
  const variables: Record<string, string> = {};
  for (const def of runbook.variables) {
    const value = Object.hasOwn(given, def.name) ? given[def.name] : undefined;
    if (value !== undefined) {
      if (typeof value !== 'string') problems.push(`variable "${def.name}" must be text`);
      else if (value.length > VARIABLE_VALUE_MAX_CHARS) {
        problems.push(`variable "${def.name}" must be at most ${VARIABLE_VALUE_MAX_CHARS} characters (got ${value.length})`);
      } else if (def.required && value.trim() === '') problems.push(`variable "${def.name}" is required and cannot be empty`);
      else variables[def.name] = value;
    } else if (def.default !== null) {
      variables[def.name] = def.default;
    } else if (def.required) {
      const hint = def.description ? ` (${def.description})` : '';
      problems.push(`missing required variable "${def.name}"${hint}`);
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, variables };
}

/** A new run in `pending`, with one step state per step of the pinned version. */
export function createRun(input: NewRun, ctx: StartContext): { ok: true; run: Run } | { ok: false; error: EngineError } {
  if (input.runbook.steps.length === 0) {
    return { ok: false, error: { code: 'conflict', message: `runbook "${input.runbook.name}" has no steps` } };
  }
  const vars = resolveVariables(input.runbook, input.variables);
  if (!vars.ok) return { ok: false, error: { code: 'validation', message: vars.problems.join('; ') } };
  const run: Run = {
    id: input.id,
    runbook: input.runbook,
    status: 'pending',
    variables: vars.variables,
    started_by: input.started_by,
    driver: input.driver ?? 'person',
    trigger: { source: input.trigger?.source ?? 'manual', context: input.trigger?.context ?? {} },
    steps: input.runbook.steps.map((step) => blankStepState(ctx.ids('rrs'), step.id)),
    current_step_id: null,
    visit_count: 0,
    wait: null,
    rollback_queue: null,
    rollback_executed: false,
    error_message: null,
    applied_keys: [],
    keys_evicted: false,
    audit_seq: 0,
    created_at: ctx.now,
    started_at: null,
    completed_at: null,
    updated_at: ctx.now,
  };
  return { ok: true, run };
}

/** createRun, then the `start` command: the first step becomes active. */
export function startRun(input: NewRun, ctx: StartContext, key?: string): TransitionResult | { ok: false; error: EngineError; run: null } {
  const created = createRun(input, ctx);
  if (!created.ok) return { ok: false, error: created.error, run: null };
  return transition(created.run, { type: 'start', actor: input.started_by, ...(key ? { key } : {}) }, ctx);
}

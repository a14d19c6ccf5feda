import { blankStepState, isToolStep, runsTools } from './step-flow.js';
import { transition } from './transition.js';
import {
  DEVICE_VARIABLE,
  type Actor,
  type CompiledRunbook,
  type EngineError,
  type JsonObject,
  type Run,
  type RunDriver,
  type RunbookSnapshot,
  type StartContext,
  type TransitionResult,
  type TriggerSource,
  type VariableDef,
} from './types.js';

export const VARIABLE_VALUE_MAX_CHARS = 1000;

export interface NewRun {
  id: string;
  runbook: RunbookSnapshot;
  variables: Record<string, string>;
  /** The device tool steps act on (see resolveDevice); a `deviceId` among `variables` says the same. */
  device?: string;
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

type DeviceRunbook = Pick<CompiledRunbook, 'name' | 'audience' | 'variables' | 'steps'>;

const declaredDevice = (runbook: Pick<CompiledRunbook, 'variables'>): VariableDef | undefined =>
  runbook.variables.find((v) => v.name === DEVICE_VARIABLE);

/**
 * What a start asks for (the inputs form, an alert's labels): the runbook's variables, plus
 * the device when the runbook has tool steps and does not declare it itself; required when
 * the run runs them, optional when a person does (a device then offers Run tool).
 */
export function startInputs(runbook: Pick<CompiledRunbook, 'audience' | 'variables' | 'steps'>): VariableDef[] {
  if (declaredDevice(runbook) || !runbook.steps.some(isToolStep)) return runbook.variables;
  const required = runsTools(runbook);
  const description = required ? 'Device to run on' : 'Device whose runner may run the tool steps (optional)';
  return [...runbook.variables, { name: DEVICE_VARIABLE, description, required, default: null }];
}

export type DeviceChoice = { ok: true; device: string | null; variables: Record<string, string> } | { ok: false; problems: string[] };

/**
 * The run's device: a parameter of the run, given as `device` (an API body) or as a
 * `deviceId` among the variables (Slack's `device=`, a form, an alert's host); given both
 * ways, they must agree. A runbook that declares `deviceId` gets the device in that variable
 * (its default counts when none is given); in any other runbook it is no variable at all, so
 * `variables` comes back without it. A runbook without tool steps or that variable takes no
 * device.
 */
export function resolveDevice(runbook: DeviceRunbook, given: Record<string, string>, device?: string): DeviceChoice {
  const declared = declaredDevice(runbook);
  const named = Object.hasOwn(given, DEVICE_VARIABLE) ? given[DEVICE_VARIABLE] : undefined;
  const asVariable = typeof named === 'string' ? named.trim() : '';
  const asParameter = device?.trim() ?? '';
  const id = asParameter || asVariable;
  const problems: string[] = [];
  if (asVariable !== '' && asParameter !== '' && asVariable !== asParameter) {
    problems.push(`the device is given twice and differently: ${asParameter}, and ${asVariable} as the deviceId variable`);
  }
  if (id.length > VARIABLE_VALUE_MAX_CHARS) problems.push(`the device id must be at most ${VARIABLE_VALUE_MAX_CHARS} characters (got ${id.length})`);
  if (!declared && (named !== undefined || device !== undefined) && !runbook.steps.some(isToolStep)) {
    problems.push(`“${runbook.name}” has no tool steps, so it runs on no device`);
  }
  if (problems.length > 0) return { ok: false, problems };
  if (declared) {
    const variables = id === '' ? given : { ...given, [DEVICE_VARIABLE]: id };
    return { ok: true, device: id || declared.default?.trim() || null, variables };
  }
  const variables = Object.fromEntries(Object.entries(given).filter(([name]) => name !== DEVICE_VARIABLE));
  return { ok: true, device: id || null, variables };
}

/** A new run in `pending`, with one step state per step of the pinned version. */
export function createRun(input: NewRun, ctx: StartContext): { ok: true; run: Run } | { ok: false; error: EngineError } {
  if (input.runbook.steps.length === 0) {
    return { ok: false, error: { code: 'conflict', message: `runbook "${input.runbook.name}" has no steps` } };
  }
  const device = resolveDevice(input.runbook, input.variables, input.device);
  if (!device.ok) return { ok: false, error: { code: 'validation', message: device.problems.join('; ') } };
  const vars = resolveVariables(input.runbook, device.variables);
  if (!vars.ok) return { ok: false, error: { code: 'validation', message: vars.problems.join('; ') } };
  const run: Run = {
    id: input.id,
    runbook: input.runbook,
    status: 'pending',
    variables: vars.variables,
    device_id: device.device,
    started_by: input.started_by,
    driver: input.driver ?? 'person',
    trigger: { source: input.trigger?.source ?? 'manual', context: input.trigger?.context ?? {} },
    steps: input.runbook.steps.map((step) => blankStepState(ctx.ids('rrs'), step.id)),
    current_step_id: null,
    visit_count: 0,
    wait: null,
    timers: [],
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

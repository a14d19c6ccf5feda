import { currentStep } from './step-flow.js';
import type { CompiledStep, EngineErrorCode, Run, RunStep } from './types.js';

/** A command the engine will not apply; transition() turns it into a typed error and the unchanged run. */
export class Refusal extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const refuse = (code: EngineErrorCode, message: string): never => {
  throw new Refusal(code, message);
};

/** The current step, checked against the step and visit a command was aimed at. */
export function targetStep(run: Run, cmd: { step_id?: string; visit?: number }): { def: CompiledStep; state: RunStep } {
  const current = currentStep(run);
  if (!current) return refuse('conflict', `run ${run.id} has no current step`);
  if (cmd.step_id !== undefined && cmd.step_id !== current.def.id) {
    refuse('conflict', `stale command: step ${cmd.step_id} is no longer the current step (now "${current.def.label}")`);
  }
  if (cmd.visit !== undefined && cmd.visit !== current.state.visit) {
    refuse('conflict', `stale command: visit ${cmd.visit} of step "${current.def.label}" has passed (now visit ${current.state.visit})`);
  }
  return current;
}

import { expect } from 'vitest';
import { compileRunbook, formatProblem, parseDefinition } from '../../../src/engine/definition/index.js';
import { startRun, transition } from '../../../src/engine/index.js';
import type { Actor, AuditEntry, Command, Effect, Run, RunDriver, RunbookSnapshot } from '../../../src/engine/index.js';

export const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
export const alice: Actor = { kind: 'slack', id: 'U0ALICE', name: 'alice' };
export const bob: Actor = { kind: 'slack', id: 'U0BOB', name: 'bob', groups: ['S0OPS'] };
export const system: Actor = { kind: 'system', id: 'worker' };

/** Parses and compiles a definition; step ids are readable (`rbs_<ref>` or `rbs_<position>`). */
export function snapshot(definition: unknown): RunbookSnapshot {
  const parsed = parseDefinition(definition);
  if (!parsed.ok) throw new Error(parsed.problems.map(formatProblem).join('\n'));
  const compiled = compileRunbook(parsed.source, (step, index) => `rbs_${step.ref ?? index + 1}`);
  return { ...compiled, runbook_id: 'rnb_test00000000', version: 1 };
}

/** Starts a run; `driver` is left out (so the default, `person`) unless given. */
export function begin(definition: unknown, variables: Record<string, string> = {}, startedBy: Actor = alice, driver?: RunDriver): { run: Run; effects: Effect[] } {
  let rrs = 0;
  const result = startRun(
    { id: 'run_test00000000', runbook: snapshot(definition), variables, started_by: startedBy, ...(driver ? { driver } : {}) },
    { now: NOW, ids: () => `rrs_${String(++rrs).padStart(12, '0')}` },
  );
  if (!result.ok) throw new Error(result.error.message);
  return { run: result.run, effects: result.effects };
}

/** Applies a command that must succeed. */
export function step(run: Run, command: Command, now = NOW): { run: Run; effects: Effect[]; audit: AuditEntry | null } {
  const result = transition(run, command, { now });
  if (!result.ok) throw new Error(`${command.type} refused: ${result.error.code}: ${result.error.message}`);
  return { run: result.run, effects: result.effects, audit: result.audit };
}

/** Applies a command that must be refused with `code`, and checks the run is untouched. */
export function refused(run: Run, command: Command, code: string, now = NOW): string {
  const before = structuredClone(run);
  const result = transition(run, command, { now });
  expect(result.ok, `${command.type} should be refused`).toBe(false);
  if (result.ok) return '';
  expect(result.error.code).toBe(code);
  expect(result.run).toBe(run);
  expect(run).toEqual(before);
  return result.error.message;
}

export function current(run: Run): string | null {
  const id = run.current_step_id;
  return id === null ? null : id.replace(/^rbs_/, '');
}

export function stateOf(run: Run, ref: string) {
  const state = run.steps.find((s) => s.step_id === `rbs_${ref}`);
  if (!state) throw new Error(`no step ${ref}`);
  return state;
}

export function visitOf(run: Run): number {
  const id = run.current_step_id;
  return run.steps.find((s) => s.step_id === id)?.visit ?? 0;
}

export const done = (actor: Actor = alice, outcome?: string): Command => ({ type: 'advance', actor, ...(outcome ? { outcome } : {}) });

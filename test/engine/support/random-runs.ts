// Random runbook definitions and command sequences, for property tests of the engine and of
// what stores its runs.
import fc from 'fast-check';
import type { Actor, Command, Run } from '../../../src/engine/index.js';
import { alice, bob, system } from './runbook.js';

const STEP_KINDS = ['action', 'check', 'branch', 'gate', 'wait', 'diagnose', 'act', 'verify', 'rollback'] as const;
// `null`: an advance without an outcome (a decided gate of an agent run takes its decision).
export const OUTCOMES = ['done', 'pass', 'fail', 'approved', 'rejected', 'other', null] as const;
export const DRIVERS = ['person', 'agent'] as const;

const stepArb = (count: number) =>
  fc.record({
    type: fc.constantFrom(...STEP_KINDS),
    required: fc.boolean(),
    on_failure: fc.constantFrom('stop', 'continue', 'rollback'),
    routes: fc.dictionary(fc.constantFrom('pass', 'fail', 'rejected', 'other'), fc.option(fc.nat({ max: count - 1 }), { nil: null }), { maxKeys: 3 }),
    approvers: fc.constantFrom([], ['U0BOB'], ['S0OPS'], ['apikey:release-bot']),
    allowSelf: fc.boolean(),
    retry: fc.boolean(),
  });

/** Random valid definitions: linear default wiring keeps every step reachable; routes add branches and loops. */
export const definitionArb = fc.integer({ min: 1, max: 6 }).chain((count) =>
  fc.record({ audience: fc.constantFrom('human', 'hybrid', 'agentic'), steps: fc.array(stepArb(count), { minLength: count, maxLength: count }) }).map(({ audience, steps }) => ({
    name: 'Random',
    audience,
    steps: steps.map((s, i) => {
      const routes = Object.fromEntries(Object.entries(s.routes).map(([k, v]) => [k, v === null ? null : `step:s${v}`]));
      const hasRoutes = Object.keys(routes).length > 0;
      const base: Record<string, unknown> = { label: `Step ${i}`, ref: `s${i}`, type: s.type, required: s.required, on_failure: s.on_failure };
      if (s.type === 'branch') base.next_on_outcome = hasRoutes ? routes : { pass: null };
      else if (hasRoutes && ['action', 'check', 'gate'].includes(s.type)) base.next_on_outcome = routes;
      if (s.type === 'gate' || s.type === 'act') {
        base.approvers = s.approvers;
        base.allow_self_approval = s.allowSelf;
      }
      if (s.type === 'wait') base.wait_seconds = 5;
      if (['diagnose', 'act', 'verify', 'rollback'].includes(s.type)) base.tool = 'probe';
      if (s.type === 'verify') {
        base.verify = { metric: 'value', operator: 'lt', value: 50, ...(s.retry ? { retry: { interval_seconds: 1, timeout_seconds: 3 } } : {}) };
      }
      return base;
    }),
  })),
);

export type CommandSeed = { kind: number; outcome: string | null; actor: number; stale: boolean; key: number; ok: boolean; value: number };
export const seedArb = fc.record({
  kind: fc.nat({ max: 12 }),
  outcome: fc.constantFrom(...OUTCOMES),
  actor: fc.nat({ max: 3 }),
  stale: fc.boolean(),
  key: fc.nat({ max: 4 }),
  ok: fc.boolean(),
  value: fc.nat({ max: 100 }),
});

export const actors: Actor[] = [alice, bob, { kind: 'agent', id: 'agent-7' }, { kind: 'api', id: 'release-bot' }];

export function commandFrom(seed: CommandSeed, run: Run): Command {
  const current = run.steps.find((s) => s.step_id === run.current_step_id);
  const pin = { step_id: seed.stale ? 'rbs_s0' : (run.current_step_id ?? 'rbs_s0'), visit: seed.stale ? 1 : (current?.visit || 1) };
  const base = { actor: actors[seed.actor] ?? alice, ...(seed.key > 0 ? { key: `k${seed.key}` } : {}) };
  const types = ['advance', 'skip', 'fail', 'pause', 'resume', 'cancel', 'retry', 'approve', 'reject', 'wait_elapsed', 'tool_result', 'run_tool', 'advance'] as const;
  const type = types[seed.kind] ?? 'advance';
  switch (type) {
    case 'advance':
      return { type, ...base, ...(seed.outcome === null ? {} : { outcome: seed.outcome }), ...(seed.stale ? pin : {}) };
    case 'wait_elapsed':
      return { type, ...base, actor: system, ...pin };
    case 'run_tool':
      return { type, ...base, ...(seed.stale ? pin : {}) };
    case 'tool_result':
      return { type, ...base, actor: system, ...pin, ok: seed.ok, output: { value: seed.value } };
    default:
      return { type, ...base } as Command;
  }
}


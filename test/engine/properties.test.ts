import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeProgress, currentStep, gateDecision, isTerminal, transition, type Actor, type Command, type Run } from '../../src/engine/index.js';
import { NOW, alice, begin, bob, system } from './support/runbook.js';

const STEP_KINDS = ['action', 'check', 'branch', 'gate', 'wait', 'diagnose', 'act', 'verify', 'rollback'] as const;
// `null`: an advance without an outcome (a decided gate of an agent run takes its decision).
const OUTCOMES = ['done', 'pass', 'fail', 'approved', 'rejected', 'other', null] as const;
const DRIVERS = ['person', 'agent'] as const;

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
const definitionArb = fc.integer({ min: 1, max: 6 }).chain((count) =>
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

type CommandSeed = { kind: number; outcome: string | null; actor: number; stale: boolean; key: number; ok: boolean; value: number };
const seedArb = fc.record({
  kind: fc.nat({ max: 12 }),
  outcome: fc.constantFrom(...OUTCOMES),
  actor: fc.nat({ max: 3 }),
  stale: fc.boolean(),
  key: fc.nat({ max: 4 }),
  ok: fc.boolean(),
  value: fc.nat({ max: 100 }),
});

const actors: Actor[] = [alice, bob, { kind: 'agent', id: 'agent-7' }, { kind: 'api', id: 'release-bot' }];

function commandFrom(seed: CommandSeed, run: Run): Command {
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

function checkInvariants(run: Run): void {
  const progress = computeProgress(run);
  expect(progress.completed + progress.skipped + progress.failed + progress.remaining).toBe(progress.total_steps);
  expect(Math.min(progress.completed, progress.skipped, progress.failed, progress.remaining)).toBeGreaterThanOrEqual(0);
  // A tool call is only ever out for the active step.
  for (const s of run.steps) if (s.status !== 'active') expect(s.tool_running).toBe(false);
  const active = run.steps.filter((s) => s.status === 'active');
  expect(active.length).toBeLessThanOrEqual(1);
  if (active[0]) expect(active[0].step_id).toBe(run.current_step_id);
  if (['running', 'waiting', 'paused'].includes(run.status)) expect(active).toHaveLength(1);
  if (isTerminal(run.status)) {
    expect(active).toHaveLength(0);
    expect(progress.remaining).toBe(0);
    expect(run.wait).toBeNull();
  }
  if (run.status === 'waiting') expect(run.wait).not.toBeNull();
  // A decision waits on a gate only in an agent run; a person run's gate finishes on it.
  for (const s of run.steps) {
    const def = run.runbook.steps.find((d) => d.id === s.step_id);
    if (s.decided_by !== null) {
      expect(run.driver).toBe('agent');
      expect(def?.type).toBe('gate');
      expect(['approved', 'rejected']).toContain(s.outcome);
      expect(s.status).not.toBe('pending');
    }
    if (run.driver === 'person' && def?.type === 'gate' && s.status === 'active') expect(s.outcome).toBeNull();
  }
  expect(run.visit_count).toBeLessThanOrEqual(1000);
  expect(JSON.parse(JSON.stringify(run))).toEqual(run);
}

describe('engine properties over random definitions and command sequences', () => {
  it('keeps its invariants, refuses without change, and terminal states absorb', () => {
    fc.assert(
      fc.property(definitionArb, fc.constantFrom(...DRIVERS), fc.array(seedArb, { maxLength: 40 }), (definition, driver, seeds) => {
        let { run } = begin(definition, {}, alice, driver);
        expect(run.driver).toBe(driver);
        checkInvariants(run);
        let now = NOW;
        for (const seed of seeds) {
          now += 1_000;
          const before = structuredClone(run);
          const wasTerminal = isTerminal(run.status);
          const result = transition(run, commandFrom(seed, run), { now });
          if (!result.ok || result.duplicate) {
            expect(result.run).toBe(run);
            expect(run).toEqual(before);
          }
          if (wasTerminal) expect(result.ok ? result.run : run).toEqual(before);
          if (!result.ok && result.error.code === 'awaiting_approval') expect(before.status).toBe('running');
          if (result.ok) run = result.run;
          checkInvariants(run);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('is deterministic: the same commands at the same times give the same run', () => {
    fc.assert(
      fc.property(definitionArb, fc.constantFrom(...DRIVERS), fc.array(seedArb, { maxLength: 25 }), (definition, driver, seeds) => {
        const replay = () => {
          let { run } = begin(definition, {}, alice, driver);
          seeds.forEach((seed, i) => {
            const result = transition(run, commandFrom(seed, run), { now: NOW + i * 500 });
            if (result.ok) run = result.run;
          });
          return run;
        };
        expect(replay()).toEqual(replay());
      }),
      { numRuns: 150 },
    );
  });

  // The random definitions above rarely reach a decided gate: here every run is gates and
  // actions, and most commands are approve, reject and advance.
  const weighted = <T,>(...pairs: [T, number][]) => fc.oneof(...pairs.map(([value, weight]) => ({ arbitrary: fc.constant(value), weight })));
  const gateStepArb = (count: number) =>
    fc.record({
      gate: weighted([true, 2], [false, 1]),
      rejected: fc.option(fc.nat({ max: count - 1 }), { nil: undefined }),
      approvers: fc.constantFrom([], ['U0BOB'], ['apikey:release-bot']),
      required: fc.boolean(),
      on_failure: fc.constantFrom('stop', 'continue'),
    });
  // With `loop`, the last step leads back to the first, so a run lasts the whole sequence.
  const gatesArb = fc.integer({ min: 1, max: 5 }).chain((count) =>
    fc.record({ loop: fc.boolean(), steps: fc.array(gateStepArb(count), { minLength: count, maxLength: count }) }).map(({ loop, steps }) => ({
      name: 'Gates',
      steps: steps.map((s, i) => ({
        label: `Step ${i}`,
        ref: `s${i}`,
        required: s.required,
        on_failure: s.on_failure,
        ...(loop && i === count - 1 ? { next_default: 'step:s0' } : {}),
        ...(s.gate ? { type: 'gate', approvers: s.approvers, ...(s.rejected === undefined ? {} : { next_on_outcome: { rejected: `step:s${s.rejected}` } }) } : {}),
      })),
    })),
  );
  const gateCommandArb = fc.record({
    type: weighted<Command['type']>(['advance', 4], ['approve', 3], ['reject', 2], ['skip', 1], ['fail', 1], ['pause', 1], ['resume', 1], ['retry', 1]),
    actor: fc.constantFrom(...actors),
    outcome: weighted<string | null>([null, 4], ['approved', 1], ['rejected', 1], ['done', 1]),
  });

  it('records a decision on a gate of an agent run, and an advance moves on with it', () => {
    fc.assert(
      fc.property(gatesArb, fc.constantFrom(...DRIVERS), fc.array(gateCommandArb, { minLength: 5, maxLength: 30, size: 'max' }), (definition, driver, seeds) => {
        let { run } = begin(definition, {}, alice, driver);
        let now = NOW;
        for (const seed of seeds) {
          now += 1_000;
          const command = (seed.type === 'advance' && seed.outcome !== null ? { ...seed, outcome: seed.outcome } : { type: seed.type, actor: seed.actor }) as Command;
          const cur = currentStep(run);
          const decision = cur ? gateDecision(run, cur.def, cur.state) : null;
          const result = transition(run, command, { now });
          if (cur && run.status === 'running' && command.type === 'advance' && (cur.def.type === 'gate' && decision === null)) {
            expect(result.ok ? null : result.error.code).toBe('awaiting_approval');
          }
          if (result.ok && !result.duplicate && cur) {
            if (driver === 'agent' && cur.def.type === 'gate' && (command.type === 'approve' || command.type === 'reject')) {
              expect(result.run.current_step_id).toBe(cur.def.id);
              expect(result.run.status).toBe('running');
              expect(currentStep(result.run)?.state).toMatchObject({ status: 'active', decided_by: command.actor, outcome: command.type === 'approve' ? 'approved' : 'rejected' });
            }
            if (command.type === 'advance' && decision !== null) expect(result.audit.outcome).toBe(decision.outcome);
          }
          if (result.ok) run = result.run;
          checkInvariants(run);
        }
      }),
      { numRuns: 300 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeProgress, currentStep, gateDecision, isTerminal, transition, type Command, type Run } from '../../src/engine/index.js';
import { NOW, alice, begin } from './support/runbook.js';
import { DRIVERS, actors, commandFrom, definitionArb, seedArb } from './support/random-runs.js';

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

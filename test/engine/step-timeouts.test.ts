// A human step's timeout_seconds: a reminder at half time, then the step fails with a timeout
// error and its on_failure applies. Deadlines are kept on the run, go when the step's visit
// ends, keep counting while the run is paused and apply on resume.
import { describe, expect, it } from 'vitest';

import type { PendingTimer, Run } from '../../src/engine/index.js';
import { NOW, alice, begin, refused, step, system } from './support/runbook.js';

const review = (extra: Record<string, unknown> = {}) => ({
  name: 'Review',
  steps: [{ label: 'Review the change', timeout_seconds: 60, ...extra }, { label: 'Merge' }],
});
const fire = (run: Run, kind: PendingTimer['kind'], at: number, visit = 1) =>
  step(run, { type: 'timer_fired', kind, actor: system, step_id: 'rbs_1', visit }, at);

describe('step deadlines', () => {
  it('schedules a reminder at half time and the timeout when a human step starts', () => {
    const { run, effects } = begin(review());
    const timers = [
      { kind: 'step_reminder', step_id: 'rbs_1', visit: 1, due_at: NOW + 30_000 },
      { kind: 'step_timeout', step_id: 'rbs_1', visit: 1, due_at: NOW + 60_000 },
    ];
    expect(run.timers).toEqual(timers);
    expect(effects.filter((e) => e.type === 'scheduleTimer')).toEqual(timers.map((timer) => ({ type: 'scheduleTimer', run_id: run.id, timer })));
  });

  it('marks the step reminded at half time, once, and leaves it active', () => {
    const { run } = begin(review());
    const reminded = fire(run, 'step_reminder', NOW + 30_000).run;
    expect(reminded.steps[0]).toMatchObject({ status: 'active', reminded: true });
    expect(reminded.timers.map((t) => t.kind)).toEqual(['step_timeout']);
    expect(refused(reminded, { type: 'timer_fired', kind: 'step_reminder', actor: system, step_id: 'rbs_1', visit: 1 }, 'conflict')).toContain('has no reminder pending');
  });

  it('fails the step with a timeout error at its deadline, and stops the run (on_failure stop)', () => {
    const { run } = begin(review());
    const timedOut = fire(run, 'step_timeout', NOW + 60_000).run;
    expect(timedOut.status).toBe('failed');
    expect(timedOut.steps[0]).toMatchObject({ status: 'failed', error: 'timed out after 60 s' });
    expect(timedOut.error_message).toBe('step "Review the change" failed: timed out after 60 s');
    expect(timedOut.timers).toEqual([]);
  });

  it('goes on to the next step when on_failure is continue', () => {
    const { run } = begin(review({ on_failure: 'continue' }));
    const next = fire(run, 'step_timeout', NOW + 60_000).run;
    expect(next.status).toBe('running');
    expect(next.current_step_id).toBe('rbs_2');
    expect(next.steps[0]).toMatchObject({ status: 'failed', error: 'timed out after 60 s' });
  });

  it('drops the deadlines when the step is done in time; a late timer is stale and changes nothing', () => {
    const { run } = begin(review());
    const done = step(run, { type: 'advance', actor: alice }, NOW + 10_000).run;
    expect(done.timers).toEqual([]);
    expect(refused(done, { type: 'timer_fired', kind: 'step_timeout', actor: system, step_id: 'rbs_1', visit: 1 }, 'conflict')).toContain('is no longer the current step');
  });

  it('sets new deadlines for a retried step, and the old visit\'s timers are stale', () => {
    const { run } = begin(review());
    const failed = fire(run, 'step_timeout', NOW + 60_000).run;
    const retried = step(failed, { type: 'retry', actor: alice }, NOW + 70_000);
    expect(retried.run.timers).toEqual([
      { kind: 'step_reminder', step_id: 'rbs_1', visit: 2, due_at: NOW + 100_000 },
      { kind: 'step_timeout', step_id: 'rbs_1', visit: 2, due_at: NOW + 130_000 },
    ]);
    expect(refused(retried.run, { type: 'timer_fired', kind: 'step_timeout', actor: system, step_id: 'rbs_1', visit: 1 }, 'conflict')).toMatch(/stale/);
  });

  it('keeps counting while paused: a deadline that passed applies on resume, one still ahead is set again', () => {
    const { run } = begin(review());
    const paused = step(run, { type: 'pause', actor: alice }, NOW + 1_000).run;
    refused(paused, { type: 'timer_fired', kind: 'step_reminder', actor: system, step_id: 'rbs_1', visit: 1 }, 'conflict', NOW + 30_000);

    const early = step(paused, { type: 'resume', actor: alice }, NOW + 20_000);
    expect(early.run.status).toBe('running');
    expect(early.effects.filter((e) => e.type === 'scheduleTimer').map((e) => (e as { timer: PendingTimer }).timer.kind)).toEqual(['step_reminder', 'step_timeout']);

    const halfway = step(paused, { type: 'resume', actor: alice }, NOW + 40_000).run;
    expect(halfway.steps[0]).toMatchObject({ status: 'active', reminded: true });
    expect(halfway.timers.map((t) => t.kind)).toEqual(['step_timeout']);

    const late = step(paused, { type: 'resume', actor: alice }, NOW + 90_000).run;
    expect(late.status).toBe('failed');
    expect(late.steps[0]).toMatchObject({ status: 'failed', error: 'timed out after 60 s' });
  });

  it('sets no deadline on a step without timeout_seconds, a wait, or a tool step its runner runs', () => {
    expect(begin({ name: 'N', steps: [{ label: 'No limit' }] }).run.timers).toEqual([]);
    expect(begin({ name: 'W', steps: [{ label: 'Settle', type: 'wait', wait_seconds: 5, timeout_seconds: 60 }] }).run.timers).toEqual([]);
    const tool = { name: 'T', audience: 'agentic', steps: [{ label: 'Look', type: 'diagnose', tool: 'analyze_metrics', timeout_seconds: 60 }] };
    expect(begin(tool, {}, alice).run.timers).toEqual([]);
  });

  it('clears the deadlines when the run is cancelled', () => {
    const { run } = begin(review());
    expect(step(run, { type: 'cancel', actor: alice }, NOW + 5_000).run.timers).toEqual([]);
  });
});

describe('the run deadline', () => {
  const longRun = { name: 'Long', timeout_seconds: 600, steps: [{ label: 'First' }, { label: 'Settle', type: 'wait', wait_seconds: 900, required: false }, { label: 'Last', timeout_seconds: 60 }] };
  const runTimer = (at: number) => ({ kind: 'run_timeout', step_id: null, visit: null, due_at: at });
  const fireRun = (run: Run, at: number) => step(run, { type: 'timer_fired', kind: 'run_timeout', actor: system }, at);

  it('is set at start from the runbook\'s timeout_seconds, beside the steps\' own deadlines', () => {
    const { run, effects } = begin(longRun);
    expect(run.timers).toEqual([runTimer(NOW + 600_000)]);
    expect(effects).toContainEqual({ type: 'scheduleTimer', run_id: run.id, timer: runTimer(NOW + 600_000) });
    const atLast = step(step(run, { type: 'advance', actor: alice }, NOW + 1_000).run, { type: 'skip', actor: alice }, NOW + 2_000).run;
    expect(atLast.timers.map((t) => t.kind)).toEqual(['run_timeout', 'step_reminder', 'step_timeout']);
  });

  it('fails the step under way and the run when it passes, whatever the step\'s on_failure', () => {
    const { run } = begin({ ...longRun, steps: [{ label: 'First', on_failure: 'continue' }, { label: 'Next' }] });
    const timedOut = fireRun(run, NOW + 600_000).run;
    expect(timedOut).toMatchObject({ status: 'failed', error_message: 'run timed out after 600 s', timers: [] });
    expect(timedOut.steps[0]).toMatchObject({ status: 'failed', error: 'run timed out after 600 s' });
  });

  it('ends a wait under way too', () => {
    const waiting = step(begin(longRun).run, { type: 'advance', actor: alice }, NOW + 1_000).run;
    expect(waiting.status).toBe('waiting');
    const timedOut = fireRun(waiting, NOW + 600_000);
    expect(timedOut.run).toMatchObject({ status: 'failed', wait: null });
    expect(timedOut.effects).toContainEqual(expect.objectContaining({ type: 'cancelWait' }));
  });

  it('is gone once the run ends, and a late one is stale', () => {
    const { run } = begin({ name: 'Short', timeout_seconds: 600, steps: [{ label: 'Only' }] });
    const done = step(run, { type: 'advance', actor: alice }, NOW + 1_000).run;
    expect(done).toMatchObject({ status: 'completed', timers: [] });
    refused(done, { type: 'timer_fired', kind: 'run_timeout', actor: system }, 'conflict', NOW + 600_000);
  });

  it('is set again, whole, when a failed run is retried', () => {
    const timedOut = fireRun(begin(longRun).run, NOW + 600_000).run;
    const retried = step(timedOut, { type: 'retry', actor: alice }, NOW + 700_000).run;
    expect(retried.timers).toEqual([runTimer(NOW + 1_300_000)]);
  });

  it('applies on resume when it passed while the run was paused', () => {
    const paused = step(begin(longRun).run, { type: 'pause', actor: alice }, NOW + 1_000).run;
    refused(paused, { type: 'timer_fired', kind: 'run_timeout', actor: system }, 'conflict', NOW + 600_000);
    expect(step(paused, { type: 'resume', actor: alice }, NOW + 700_000).run).toMatchObject({ status: 'failed', error_message: 'run timed out after 600 s' });
  });

  it('is refused as a definition field out of range, naming the limit', () => {
    expect(() => begin({ ...longRun, timeout_seconds: 0 })).toThrow(/timeout_seconds/);
  });
});

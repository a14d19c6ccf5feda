import { describe, expect, it } from 'vitest';
import { LOOP_GUARD_ERROR, MAX_STEP_VISITS, computeProgress, type Run } from '../../src/engine/index.js';
import { alice, begin, current, done, refused, stateOf, step, system } from './support/runbook.js';

const toolResult = (run: Run, ok: boolean, output: unknown = {}) => ({
  type: 'tool_result' as const,
  actor: system,
  step_id: run.current_step_id ?? '',
  visit: run.steps.find((s) => s.step_id === run.current_step_id)?.visit ?? 0,
  ok,
  output: output as never,
});

const withRollback = (onFailure: string) => ({
  name: 'Service restart',
  audience: 'agentic',
  steps: [
    { label: 'Snapshot config', ref: 'snap', type: 'diagnose', tool: 'manage_services' },
    { label: 'Undo config', ref: 'undo1', type: 'rollback', tool: 'run_command' },
    { label: 'Restart', ref: 'restart', type: 'act', tool: 'manage_services', on_failure: onFailure },
    { label: 'Verify', ref: 'verify', type: 'verify', tool: 'manage_services', verify: { metric: 'service_status', operator: 'eq', value: 'running' } },
    { label: 'Restore service', ref: 'undo2', type: 'rollback', tool: 'manage_services' },
  ],
});

describe('on_failure', () => {
  it('stop: fails the run and keeps the failed step current for a retry', () => {
    let { run } = begin(withRollback('stop'));
    run = step(run, toolResult(run, true)).run;
    expect(current(run)).toBe('restart');
    expect(stateOf(run, 'undo1')).toMatchObject({ status: 'skipped' });
    run = step(run, { ...toolResult(run, false), error: 'unit not found' }).run;
    expect(run.status).toBe('failed');
    expect(run.error_message).toBe('step "Restart" failed: unit not found');
    expect(current(run)).toBe('restart');
    expect(run.rollback_executed).toBe(false);
  });

  it('continue: records the failure and goes on to the next step', () => {
    let { run } = begin(withRollback('continue'));
    run = step(run, toolResult(run, true)).run;
    run = step(run, toolResult(run, false)).run;
    expect(run.status).toBe('running');
    expect(current(run)).toBe('verify');
    run = step(run, toolResult(run, true, { service_status: 'running' })).run;
    expect(run.status).toBe('completed');
    expect(computeProgress(run)).toEqual({ total_steps: 5, completed: 2, skipped: 2, failed: 1, remaining: 0 });
  });

  it('rollback: runs rollback steps in reverse order, then ends rolled_back', () => {
    let { run } = begin(withRollback('rollback'));
    run = step(run, toolResult(run, true)).run;
    const failed = step(run, toolResult(run, false));
    run = failed.run;
    expect(current(run)).toBe('undo2');
    expect(failed.effects).toContainEqual(expect.objectContaining({ type: 'runTool', step_id: 'rbs_undo2' }));
    run = step(run, toolResult(run, true)).run;
    expect(current(run)).toBe('undo1');
    run = step(run, toolResult(run, true)).run;
    expect(run.status).toBe('rolled_back');
    expect(run.rollback_executed).toBe(true);
    expect(stateOf(run, 'verify').status).toBe('skipped');
    expect(stateOf(run, 'undo1').status).toBe('completed');
    expect(run.error_message).toBe('step "Restart" failed: tool manage_services failed');
  });

  it('rollback: a failing rollback step fails the run', () => {
    let { run } = begin(withRollback('rollback'));
    run = step(run, toolResult(run, true)).run;
    run = step(run, toolResult(run, false)).run;
    run = step(run, { ...toolResult(run, false), error: 'disk full' }).run;
    expect(run.status).toBe('failed');
    expect(run.rollback_executed).toBe(true);
    expect(run.error_message).toBe('rollback step "Restore service" failed: disk full');
  });

  it('applies the policy to a person\'s Fail as well', () => {
    const def = { name: 'x', steps: [{ label: 'a', on_failure: 'continue' }, { label: 'b' }] };
    const { run } = step(begin(def).run, { type: 'fail', actor: alice, notes: 'flaky' });
    expect(run.status).toBe('running');
    expect(current(run)).toBe('2');
    expect(stateOf(run, '1')).toMatchObject({ status: 'failed', notes: 'flaky', error: 'flaky' });
  });
});

describe('retry', () => {
  it('makes the failed step active again with a new visit', () => {
    let { run } = begin({ name: 'x', steps: [{ label: 'a' }, { label: 'b' }] });
    run = step(run, { type: 'fail', actor: alice, notes: 'broken' }).run;
    expect(run.status).toBe('failed');
    run = step(run, { type: 'retry', actor: alice }).run;
    expect(run.status).toBe('running');
    expect(run.error_message).toBeNull();
    expect(stateOf(run, '1')).toMatchObject({ status: 'active', visit: 2, visits: 2, notes: null });
    expect(current(step(run, done()).run)).toBe('2');
  });
});

describe('loop guard', () => {
  const loop = {
    name: 'Loop',
    steps: [
      { label: 'Test', ref: 'test', type: 'check', next_on_outcome: { pass: null, fail: 'step:fix' } },
      { label: 'Fix', ref: 'fix', next_default: 'step:test' },
    ],
  };

  it(`fails the run on visit ${MAX_STEP_VISITS + 1} and refuses a retry`, () => {
    let { run } = begin(loop);
    while (run.status === 'running') {
      run = step(run, done(alice, current(run) === 'test' ? 'fail' : undefined)).run;
    }
    expect(run.status).toBe('failed');
    expect(run.visit_count).toBe(MAX_STEP_VISITS);
    expect(run.error_message).toBe(LOOP_GUARD_ERROR);
    expect(refused(run, { type: 'retry', actor: alice }, 'conflict')).toContain('loop guard');
  });

  it('lets a loop that ends in time complete', () => {
    let { run } = begin(loop);
    for (let i = 0; i < 400; i += 1) run = step(run, done(alice, current(run) === 'test' ? 'fail' : undefined)).run;
    run = step(run, done(alice, 'pass')).run;
    expect(run.status).toBe('completed');
  });
});

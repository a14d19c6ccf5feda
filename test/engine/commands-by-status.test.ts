import { describe, expect, it } from 'vitest';
import { createRun, transition, type Command, type CommandType, type Run, type RunStatus } from '../../src/engine/index.js';
import { NOW, alice, begin, snapshot, step, system } from './support/runbook.js';

const optionalAction = { name: 'A', steps: [{ label: 'Optional', required: false }, { label: 'Next' }] };
const optionalWait = { name: 'W', steps: [{ label: 'Settle', type: 'wait', wait_seconds: 5, required: false }, { label: 'Next' }] };
const noRollbackSteps = { name: 'R', steps: [{ label: 'Risky', on_failure: 'rollback' }] };

function runIn(status: RunStatus): Run {
  switch (status) {
    case 'pending': {
      const created = createRun({ id: 'run_pending00000', runbook: snapshot(optionalAction), variables: {}, started_by: alice }, { now: NOW, ids: () => 'rrs_x' });
      if (!created.ok) throw new Error(created.error.message);
      return created.run;
    }
    case 'running':
      return begin(optionalAction).run;
    case 'waiting':
      return begin(optionalWait).run;
    case 'paused':
      return step(begin(optionalAction).run, { type: 'pause', actor: alice }).run;
    case 'completed':
      return step(step(begin(optionalAction).run, { type: 'advance', actor: alice }).run, { type: 'advance', actor: alice }).run;
    case 'failed':
      return step(begin(optionalAction).run, { type: 'fail', actor: alice }).run;
    case 'rolled_back':
      return step(begin(noRollbackSteps).run, { type: 'fail', actor: alice }).run;
    case 'cancelled':
      return step(begin(optionalAction).run, { type: 'cancel', actor: alice }).run;
  }
}

function commandFor(type: CommandType, run: Run): Command {
  const pinned = { step_id: run.current_step_id ?? 'rbs_1', visit: run.steps.find((s) => s.step_id === run.current_step_id)?.visit || 1 };
  switch (type) {
    case 'wait_elapsed':
      return { type, actor: system, ...pinned };
    case 'timer_fired':
      return { type, actor: system, ...pinned, kind: 'step_timeout' };
    case 'tool_result':
      return { type, actor: system, ...pinned, ok: true };
    default:
      return { type, actor: alice } as Command;
  }
}

type Verdict = 'ok' | 'conflict' | 'validation';
const C: Verdict = 'conflict';

// The whole command × status matrix, written out so a change to the rules shows up here.
// These runs have no step deadline, so a timer_fired is stale in every status (the
// deadline tests below apply one).
const expected: Record<RunStatus, Record<CommandType, Verdict>> = {
  pending: { start: 'ok', advance: C, skip: C, fail: C, pause: C, resume: C, cancel: 'ok', retry: C, approve: C, reject: C, wait_elapsed: C, timer_fired: C, run_tool: C, tool_result: C },
  running: { start: C, advance: 'ok', skip: 'ok', fail: 'ok', pause: 'ok', resume: C, cancel: 'ok', retry: C, approve: 'validation', reject: 'validation', wait_elapsed: C, timer_fired: C, run_tool: 'validation', tool_result: C },
  waiting: { start: C, advance: C, skip: 'ok', fail: 'ok', pause: 'ok', resume: C, cancel: 'ok', retry: C, approve: C, reject: C, wait_elapsed: 'ok', timer_fired: C, run_tool: C, tool_result: C },
  paused: { start: C, advance: C, skip: C, fail: C, pause: C, resume: 'ok', cancel: 'ok', retry: C, approve: C, reject: C, wait_elapsed: C, timer_fired: C, run_tool: C, tool_result: C },
  completed: { start: C, advance: C, skip: C, fail: C, pause: C, resume: C, cancel: C, retry: C, approve: C, reject: C, wait_elapsed: C, timer_fired: C, run_tool: C, tool_result: C },
  failed: { start: C, advance: C, skip: C, fail: C, pause: C, resume: C, cancel: C, retry: 'ok', approve: C, reject: C, wait_elapsed: C, timer_fired: C, run_tool: C, tool_result: C },
  rolled_back: { start: C, advance: C, skip: C, fail: C, pause: C, resume: C, cancel: C, retry: C, approve: C, reject: C, wait_elapsed: C, timer_fired: C, run_tool: C, tool_result: C },
  cancelled: { start: C, advance: C, skip: C, fail: C, pause: C, resume: C, cancel: C, retry: C, approve: C, reject: C, wait_elapsed: C, timer_fired: C, run_tool: C, tool_result: C },
};

const cases = Object.entries(expected).flatMap(([status, row]) =>
  Object.entries(row).map(([command, verdict]) => ({ status: status as RunStatus, command: command as CommandType, verdict })),
);

describe('every command in every run status', () => {
  it.each(cases)('$command on a $status run: $verdict', ({ status, command, verdict }) => {
    const run = runIn(status);
    expect(run.status).toBe(status);
    const before = structuredClone(run);
    const result = transition(run, commandFor(command, run), { now: NOW + 10_000 });
    if (verdict === 'ok') {
      expect(result.ok).toBe(true);
      if (result.ok) expect(result.audit).toMatchObject({ command, from_status: status });
    } else {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe(verdict);
      expect(run).toEqual(before);
    }
  });
});

describe('pause and resume', () => {
  it('holds a wait that falls due while paused and continues at once on resume', () => {
    let { run } = begin(optionalWait);
    run = step(run, { type: 'pause', actor: alice }, NOW + 1_000).run;
    const fired = transition(run, { type: 'wait_elapsed', actor: system, step_id: 'rbs_1', visit: 1 }, { now: NOW + 5_000 });
    expect(fired.ok).toBe(false);
    const resumed = step(run, { type: 'resume', actor: alice }, NOW + 9_000);
    expect(resumed.run.status).toBe('running');
    expect(resumed.run.current_step_id).toBe('rbs_2');
    expect(resumed.run.wait).toBeNull();
  });

  it('goes back to waiting and schedules the wait again when resumed before the due time', () => {
    let { run } = begin(optionalWait);
    run = step(run, { type: 'pause', actor: alice }, NOW + 1_000).run;
    const resumed = step(run, { type: 'resume', actor: alice }, NOW + 2_000);
    expect(resumed.run.status).toBe('waiting');
    expect(resumed.effects).toContainEqual({ type: 'scheduleWait', run_id: run.id, wait: { kind: 'wait', step_id: 'rbs_1', visit: 1, due_at: NOW + 5_000 } });
  });

  it('holds a tool result that lands while paused and applies it on resume', () => {
    const def = { name: 'T', audience: 'agentic', steps: [{ label: 'Look', type: 'diagnose', tool: 'analyze_metrics' }, { label: 'Next' }] };
    let { run } = begin(def);
    run = step(run, { type: 'pause', actor: alice }).run;
    run = step(run, { type: 'tool_result', actor: system, step_id: 'rbs_1', visit: 1, ok: true, output: { ram_usage_percent: 50 } }).run;
    expect(run.status).toBe('paused');
    expect(run.current_step_id).toBe('rbs_1');
    run = step(run, { type: 'resume', actor: alice }).run;
    expect(run.current_step_id).toBe('rbs_2');
    expect(run.steps[0]).toMatchObject({ status: 'completed', tool_output: { ram_usage_percent: 50 }, held_result: null });
  });
});

describe('cancel', () => {
  it('cancels a waiting run, drops its wait and skips what is left', () => {
    const { run, effects, audit } = step(begin(optionalWait).run, { type: 'cancel', actor: alice, reason: 'wrong window' });
    expect(run.status).toBe('cancelled');
    expect(run.wait).toBeNull();
    expect(effects).toContainEqual(expect.objectContaining({ type: 'cancelWait' }));
    expect(effects).toContainEqual({ type: 'runFinished', run_id: run.id, status: 'cancelled' });
    expect(run.steps.map((s) => s.status)).toEqual(['skipped', 'skipped']);
    expect(audit).toMatchObject({ command: 'cancel', notes: 'wrong window', to_status: 'cancelled' });
  });
});

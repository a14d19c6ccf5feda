import { describe, expect, it } from 'vitest';
import { NOW, alice, begin, bob, current, done, refused, stateOf, step, system, visitOf } from './support/runbook.js';

const deploy = {
  name: 'Deploy to Production',
  variables: [
    { name: 'version', description: 'Release version', required: true },
    { name: 'environment', default: 'production' },
  ],
  steps: [
    { label: 'Pull latest code', ref: 'pull', instruction: 'Pull {version}.' },
    { label: 'Run test suite', type: 'check', ref: 'tests', next_on_outcome: { pass: 'step:deploy', fail: 'step:fix' } },
    { label: 'Fix failures', ref: 'fix', next_on_outcome: { done: 'step:tests' } },
    { label: 'Deploy', ref: 'deploy', instruction: 'Deploy {version} to {environment}.' },
    { label: 'Let metrics settle', ref: 'settle', type: 'wait', wait_seconds: 30 },
    { label: 'Confirm', ref: 'confirm', type: 'gate', approvers: ['U0BOB', 'S0SRE'] },
  ],
};

describe('action and check steps', () => {
  it('starts a run with the first step active and everything else pending', () => {
    const { run, effects } = begin(deploy, { version: '2.5.0' });
    expect(run.status).toBe('running');
    expect(current(run)).toBe('pull');
    expect(run.variables).toEqual({ version: '2.5.0', environment: 'production' });
    expect(run.steps.map((s) => s.status)).toEqual(['active', 'pending', 'pending', 'pending', 'pending', 'pending']);
    expect(stateOf(run, 'pull')).toMatchObject({ visit: 1, visits: 1, started_at: NOW });
    expect(effects).toContainEqual({ type: 'render', run_id: run.id });
  });

  it('advances to the pass branch when the check passes', () => {
    let { run } = begin(deploy, { version: '2.5.0' });
    run = step(run, done()).run;
    run = step(run, done(alice, 'pass')).run;
    expect(current(run)).toBe('deploy');
    expect(stateOf(run, 'fix').status).toBe('pending');
    expect(stateOf(run, 'tests')).toMatchObject({ status: 'completed', outcome: 'pass', actor: alice });
  });

  it('loops through the fix step when the check fails, then continues', () => {
    let { run } = begin(deploy, { version: '2.5.0' });
    run = step(run, done()).run;
    run = step(run, done(alice, 'fail')).run;
    expect(current(run)).toBe('fix');
    run = step(run, done()).run;
    expect(current(run)).toBe('tests');
    expect(stateOf(run, 'tests')).toMatchObject({ status: 'active', visits: 2, visit: 4 });
    run = step(run, done(alice, 'pass')).run;
    expect(current(run)).toBe('deploy');
  });

  it('records notes, output, duration and actor on the finished step', () => {
    let { run } = begin(deploy, { version: '2.5.0' });
    run = step(run, { type: 'advance', actor: bob, notes: 'pulled abc123', output: { 'a.b': 1, $x: [1, { y: null }] } }, NOW + 4_000).run;
    expect(stateOf(run, 'pull')).toMatchObject({
      status: 'completed',
      outcome: 'done',
      notes: 'pulled abc123',
      output: { 'a.b': 1, $x: [1, { y: null }] },
      completed_at: NOW + 4_000,
      duration_ms: 4_000,
      actor: bob,
    });
  });

  it('goes to next_default when an outcome has no route', () => {
    let { run } = begin(deploy, { version: '2.5.0' });
    run = step(run, done()).run;
    run = step(run, done(alice, 'flaky')).run;
    expect(current(run)).toBe('fix');
  });

  it('ends the run when an outcome routes to null', () => {
    const def = { name: 'x', steps: [{ label: 'Check', type: 'check', next_on_outcome: { abort: null } }, { label: 'More' }] };
    let { run } = begin(def);
    const { run: ended, effects } = step(run, done(alice, 'abort'));
    run = ended;
    expect(run.status).toBe('completed');
    expect(run.current_step_id).toBeNull();
    expect(run.steps.map((s) => s.status)).toEqual(['completed', 'skipped']);
    expect(effects).toContainEqual({ type: 'runFinished', run_id: run.id, status: 'completed' });
  });
});

describe('branch steps', () => {
  const def = {
    name: 'Branchy',
    steps: [
      { label: 'Decide', type: 'branch', next_on_outcome: { small: 'step:small', big: 'step:big' } },
      { label: 'Small', ref: 'small', next_default: null },
      { label: 'Big', ref: 'big' },
    ],
  };

  it('routes by the chosen outcome', () => {
    const { run } = step(begin(def).run, done(alice, 'big'));
    expect(current(run)).toBe('big');
  });

  it('refuses an outcome the branch does not offer, naming the allowed ones', () => {
    const message = refused(begin(def).run, done(alice, 'medium'), 'validation');
    expect(message).toContain('small, big');
  });

  it('refuses the default outcome on a branch', () => {
    refused(begin(def).run, done(), 'validation');
  });
});

describe('gate steps', () => {
  const gate = (extra: object = {}) => ({ name: 'G', steps: [{ label: 'Approve release', type: 'gate', approvers: ['U0BOB', 'S0SRE'], ...extra }, { label: 'Ship' }] });

  it('notifies approvers when the gate becomes active', () => {
    const { effects, run } = begin(gate());
    expect(effects).toContainEqual({ type: 'notifyApprovers', run_id: run.id, step_id: 'rbs_1', visit: 1, approvers: ['U0BOB', 'S0SRE'] });
  });

  it('continues on approval by a listed user', () => {
    const { run } = step(begin(gate()).run, { type: 'approve', actor: { kind: 'slack', id: 'U0BOB' } });
    expect(current(run)).toBe('2');
    expect(stateOf(run, '1')).toMatchObject({ outcome: 'approved', status: 'completed' });
  });

  it('accepts a member of a listed user group', () => {
    const { run } = step(begin(gate()).run, { type: 'approve', actor: { kind: 'slack', id: 'U0CAROL', groups: ['S0SRE'] } });
    expect(current(run)).toBe('2');
  });

  it('refuses someone who is not an approver', () => {
    const message = refused(begin(gate()).run, { type: 'approve', actor: { kind: 'slack', id: 'U0MALLORY' } }, 'forbidden');
    expect(message).toContain('U0BOB, S0SRE');
  });

  it('refuses self-approval when the gate forbids it', () => {
    const { run } = begin(gate({ allow_self_approval: false }), {}, bob);
    expect(refused(run, { type: 'approve', actor: bob }, 'forbidden')).toContain('someone other');
  });

  it('allows self-approval by default', () => {
    const { run } = begin(gate(), {}, bob);
    expect(step(run, { type: 'approve', actor: bob }).run.status).toBe('running');
  });

  it('fails the run on rejection when there is no rejected route', () => {
    const { run } = step(begin(gate()).run, { type: 'reject', actor: bob, notes: 'not today' });
    expect(run.status).toBe('failed');
    expect(stateOf(run, '1')).toMatchObject({ status: 'failed', outcome: 'rejected', notes: 'not today' });
    expect(run.error_message).toContain('rejected by bob');
  });

  it('follows the rejected route when there is one', () => {
    const def = { name: 'G', steps: [{ label: 'Gate', type: 'gate', next_on_outcome: { rejected: 'step:back' } }, { label: 'Ship', next_default: null }, { label: 'Back out', ref: 'back' }] };
    const { run } = step(begin(def).run, { type: 'reject', actor: bob });
    expect(current(run)).toBe('back');
  });

  it('refuses a plain advance on a gate as awaiting approval', () => {
    refused(begin(gate()).run, done(bob), 'awaiting_approval');
  });

  it('refuses approve on a step that is not a gate', () => {
    refused(begin({ name: 'x', steps: [{ label: 'a' }] }).run, { type: 'approve', actor: bob }, 'validation');
  });
});

describe('wait steps', () => {
  const def = { name: 'W', steps: [{ label: 'Settle', type: 'wait', wait_seconds: 30, required: false }, { label: 'After' }] };

  it('puts the run in waiting and schedules the wait', () => {
    const { run, effects } = begin(def);
    expect(run.status).toBe('waiting');
    const wait = { kind: 'wait', step_id: 'rbs_1', visit: 1, due_at: NOW + 30_000 };
    expect(run.wait).toEqual(wait);
    expect(effects).toContainEqual({ type: 'scheduleWait', run_id: run.id, wait });
  });

  it('continues when the wait elapses', () => {
    const { run } = step(begin(def).run, { type: 'wait_elapsed', actor: system, step_id: 'rbs_1', visit: 1 }, NOW + 30_000);
    expect(run.status).toBe('running');
    expect(run.wait).toBeNull();
    expect(current(run)).toBe('2');
    expect(stateOf(run, '1')).toMatchObject({ status: 'completed', duration_ms: 30_000 });
  });

  it('ignores a wait_elapsed for another visit', () => {
    refused(begin(def).run, { type: 'wait_elapsed', actor: system, step_id: 'rbs_1', visit: 7 }, 'conflict');
  });

  it('refuses Done on a wait', () => {
    refused(begin(def).run, done(), 'conflict');
  });

  it('cancels the scheduled wait when an optional wait is skipped', () => {
    const { run, effects } = step(begin(def).run, { type: 'skip', actor: alice });
    expect(current(run)).toBe('2');
    expect(effects).toContainEqual(expect.objectContaining({ type: 'cancelWait' }));
  });
});

describe('tool steps', () => {
  const playbook = (audience: string, extra: object = {}) => ({
    name: 'Disk',
    audience,
    variables: [{ name: 'deviceId', required: true }],
    steps: [
      { label: 'Baseline', type: 'diagnose', tool: 'analyze_disk_usage', tool_input: { deviceId: '{{deviceId}}', path: '/' } },
      { label: 'Clean', type: 'act', tool: 'disk_cleanup', tool_input: { mode: 'execute' }, ...extra },
      { label: 'Check', type: 'verify', tool: 'analyze_disk_usage', verify: { metric: 'disk.usage_percent', operator: 'lt', value: 90 } },
    ],
  });
  const result = (run: { current_step_id: string | null }, visit: number, ok: boolean, output: unknown = {}) => ({
    type: 'tool_result' as const,
    actor: system,
    step_id: run.current_step_id ?? '',
    visit,
    ok,
    output: output as never,
  });

  it('asks for the tool with variables resolved and records its output', () => {
    const { run, effects } = begin(playbook('agentic'), { deviceId: 'web-01' });
    expect(effects).toContainEqual({ type: 'runTool', run_id: run.id, step_id: 'rbs_1', visit: 1, step_type: 'diagnose', try: 1, tool: 'analyze_disk_usage', input: { deviceId: 'web-01', path: '/' }, timeout_seconds: null });
    const next = step(run, result(run, 1, true, { disk: { usage_percent: 94 } })).run;
    expect(stateOf(next, '1')).toMatchObject({ status: 'completed', tool_input: { deviceId: 'web-01', path: '/' }, tool_output: { disk: { usage_percent: 94 } } });
    expect(current(next)).toBe('2');
  });

  it('refuses a person\'s Done on a step a tool runs', () => {
    refused(begin(playbook('agentic'), { deviceId: 'd' }).run, done(), 'conflict');
  });

  it('asks an approver before an act in a hybrid runbook', () => {
    let { run } = begin(playbook('hybrid', { approvers: ['U0BOB'] }), { deviceId: 'd' });
    const r = step(run, result(run, 1, true));
    run = r.run;
    expect(stateOf(run, '2').awaiting_approval).toBe(true);
    expect(r.effects.some((e) => e.type === 'runTool')).toBe(false);
    expect(r.effects).toContainEqual(expect.objectContaining({ type: 'notifyApprovers', approvers: ['U0BOB'] }));
    refused(run, result(run, 2, true), 'conflict');
    refused(run, { type: 'approve', actor: alice }, 'forbidden');
    const approved = step(run, { type: 'approve', actor: bob });
    expect(approved.effects).toContainEqual(expect.objectContaining({ type: 'runTool', step_type: 'act', tool: 'disk_cleanup' }));
    expect(stateOf(approved.run, '2').awaiting_approval).toBe(false);
    // The approver stays on record as the step's actor once the tool's result is in.
    const finished = step(approved.run, result(approved.run, 2, true)).run;
    expect(stateOf(finished, '2')).toMatchObject({ status: 'completed', actor: { id: bob.id } });
  });

  it('fails the act when its approval is rejected', () => {
    let { run } = begin(playbook('hybrid'), { deviceId: 'd' });
    run = step(run, result(run, 1, true)).run;
    run = step(run, { type: 'reject', actor: bob }).run;
    expect(run.status).toBe('failed');
    expect(stateOf(run, '2').status).toBe('failed');
  });

  it('shows tool steps as manual steps in a human runbook', () => {
    const { run, effects } = begin(playbook('human'), { deviceId: 'd' });
    expect(effects.some((e) => e.type === 'runTool')).toBe(false);
    expect(current(step(run, done()).run)).toBe('2');
  });

  it('runs the tool of a human step when a person asks, shows the result, and leaves the decision to them', () => {
    let { run } = begin(playbook('human'), { deviceId: 'd' });
    const asked = step(run, { type: 'run_tool', actor: alice });
    expect(asked.effects).toContainEqual(expect.objectContaining({ type: 'runTool', tool: 'analyze_disk_usage', try: 1, step_type: 'diagnose' }));
    expect(stateOf(asked.run, '1')).toMatchObject({ status: 'active', tool_running: true });
    refused(asked.run, { type: 'run_tool', actor: alice }, 'conflict');
    run = step(asked.run, result(asked.run, 1, true, { disk: { usage_percent: 94 } })).run;
    expect(stateOf(run, '1')).toMatchObject({ status: 'active', tool_running: false, tool_output: { disk: { usage_percent: 94 } } });
    expect(current(run)).toBe('1');
    // Asked again, a failing call is shown as the step's error, still for the person to judge.
    run = step(run, { type: 'run_tool', actor: alice }).run;
    run = step(run, { ...result(run, 1, false), error: 'disk not mounted' }).run;
    expect(stateOf(run, '1')).toMatchObject({ status: 'active', error: 'disk not mounted', tool_tries: 2 });
    run = step(run, done()).run;
    expect(stateOf(run, '1')).toMatchObject({ status: 'completed', outcome: 'done' });
    expect(current(run)).toBe('2');
  });

  it('shows a human verify step the condition verdict of the tool it ran', () => {
    let { run } = begin(playbook('human'), { deviceId: 'd' });
    run = step(step(run, done()).run, done()).run;
    run = step(run, { type: 'run_tool', actor: alice }).run;
    run = step(run, result(run, 3, true, { disk: { usage_percent: 95 } })).run;
    expect(stateOf(run, '3')).toMatchObject({ status: 'active', notes: 'disk.usage_percent = 95, expected lt 90' });
  });

  it('refuses Run tool on a step without a tool and on a step that runs its tool by itself', () => {
    const human = begin({ name: 'H', steps: [{ label: 'Think' }] }).run;
    refused(human, { type: 'run_tool', actor: alice }, 'validation');
    refused(begin(playbook('agentic'), { deviceId: 'd' }).run, { type: 'run_tool', actor: alice }, 'conflict');
  });

  it('passes verify when the condition holds and fails the run when it does not', () => {
    let { run } = begin(playbook('agentic'), { deviceId: 'd' });
    run = step(run, result(run, 1, true)).run;
    run = step(run, result(run, 2, true, { bytes_freed: 10 })).run;
    const passed = step(run, result(run, 3, true, { disk: { usage_percent: 71.5 } })).run;
    expect(passed.status).toBe('completed');
    expect(stateOf(passed, '3')).toMatchObject({ outcome: 'pass', notes: 'disk.usage_percent = 71.5, expected lt 90' });
    const failed = step(run, result(run, 3, true, { disk: { usage_percent: 93 } })).run;
    expect(failed.status).toBe('failed');
    expect(failed.error_message).toBe('step "Check" failed: verify failed: disk.usage_percent = 93, expected lt 90');
  });

  it('fails the step when the tool reports an error', () => {
    const { run } = begin(playbook('agentic'), { deviceId: 'd' });
    const failed = step(run, { ...result(run, 1, false), error: 'device web-01 did not answer in 120 s' }).run;
    expect(stateOf(failed, '1')).toMatchObject({ status: 'failed', error: 'device web-01 did not answer in 120 s' });
    expect(failed.error_message).toContain('did not answer');
  });

  it('re-runs a verify with retry until it passes', () => {
    const def = { name: 'R', audience: 'agentic', steps: [{ label: 'Up?', type: 'verify', tool: 'http_check', verify: { metric: 'status', operator: 'eq', value: 200, retry: { interval_seconds: 5, timeout_seconds: 12 } } }] };
    let { run } = begin(def);
    let r = step(run, result(run, 1, true, { status: 503 }), NOW + 1_000);
    run = r.run;
    expect(run.wait).toEqual({ kind: 'retry', step_id: 'rbs_1', visit: 1, due_at: NOW + 6_000 });
    expect(run.status).toBe('running');
    r = step(run, { type: 'wait_elapsed', actor: system, step_id: 'rbs_1', visit: 1 }, NOW + 6_000);
    // Each try is a call of its own, so the shell gives it its own call id and timeout.
    expect(r.effects).toContainEqual(expect.objectContaining({ type: 'runTool', tool: 'http_check', visit: 1, try: 2 }));
    // A result that names the first try is stale once the second is under way.
    refused(r.run, { ...result(r.run, 1, true, { status: 200 }), try: 1 }, 'conflict');
    run = step(r.run, { ...result(r.run, 1, true, { status: 200 }), try: 2 }, NOW + 7_000).run;
    expect(run.status).toBe('completed');
    expect(stateOf(run, '1').tool_tries).toBe(2);
  });

  it('gives up a verify retry once the next try would pass the timeout', () => {
    const def = { name: 'R', audience: 'agentic', steps: [{ label: 'Up?', type: 'verify', tool: 'http_check', verify: { metric: 'status', operator: 'eq', value: 200, retry: { interval_seconds: 5, timeout_seconds: 12 } } }] };
    let { run } = begin(def);
    run = step(run, result(run, 1, true, { status: 503 }), NOW + 1_000).run;
    run = step(run, { type: 'wait_elapsed', actor: system, step_id: 'rbs_1', visit: 1 }, NOW + 6_000).run;
    run = step(run, result(run, 1, true, { status: 503 }), NOW + 8_000).run;
    expect(run.status).toBe('failed');
    expect(visitOf(run)).toBe(1);
  });
});

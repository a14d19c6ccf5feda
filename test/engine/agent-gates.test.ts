import { describe, expect, it } from 'vitest';
import { createRun, gateDecision, transition, type Actor, type Command, type Run, type RunDriver } from '../../src/engine/index.js';
import { NOW, alice, begin, bob, current, done, refused, snapshot, stateOf, step, system, visitOf } from './support/runbook.js';

// Reference 002, "Gate Steps": in a run an agent drives, a person's approve or reject is
// recorded on the gate, and the agent's advance moves the run on with that decision.

const agent: Actor = { kind: 'agent', id: 'agent-7', name: 'deploy agent' };
const carol: Actor = { kind: 'slack', id: 'U0CAROL', name: 'carol', groups: ['S0SRE'] };
const mallory: Actor = { kind: 'slack', id: 'U0MALLORY', name: 'mallory' };
const DRIVERS: RunDriver[] = ['person', 'agent'];

type GateExtra = Record<string, unknown>;
/** A gate (ref `gate`) then Ship; `extra` is merged into the gate. */
const gated = (extra: GateExtra = {}) => ({
  name: 'Release',
  steps: [
    { label: 'Approve release', ref: 'gate', type: 'gate', approvers: ['U0BOB', 'S0SRE'], ...extra },
    { label: 'Ship', ref: 'ship' },
  ],
});
/** Like `gated`, with a rejected route to Back out (which ends the run). */
const routed = {
  name: 'Release',
  steps: [
    { label: 'Approve release', ref: 'gate', type: 'gate', next_on_outcome: { rejected: 'step:back' } },
    { label: 'Ship', ref: 'ship', next_default: null },
    { label: 'Back out', ref: 'back' },
  ],
};

const agentRun = (definition: unknown = gated(), startedBy: Actor = agent) => begin(definition, {}, startedBy, 'agent').run;
const approve = (actor: Actor = bob, notes?: string): Command => ({ type: 'approve', actor, ...(notes ? { notes } : {}) });
const reject = (actor: Actor = bob, notes?: string): Command => ({ type: 'reject', actor, ...(notes ? { notes } : {}) });
const advance = (extra: { outcome?: string; notes?: string; output?: { [key: string]: string } } = {}): Command => ({ type: 'advance', actor: agent, ...extra });

describe('a run keeps who drives it', () => {
  it.each([
    [undefined, 'person'],
    ['person', 'person'],
    ['agent', 'agent'],
  ] as const)('given driver %s, the run is driven by a %s', (driver, expected) => {
    const created = createRun(
      { id: 'run_test00000000', runbook: snapshot(gated()), variables: {}, started_by: alice, ...(driver ? { driver } : {}) },
      { now: NOW, ids: () => 'rrs_000000000001' },
    );
    expect(created.ok && created.run.driver).toBe(expected);
  });

  it('starts every step with no decision on it', () => {
    expect(agentRun().steps.map((s) => s.decided_by)).toEqual([null, null]);
  });
});

describe('advance on a step whose approval is not in yet', () => {
  const hybrid = {
    name: 'Disk',
    audience: 'hybrid',
    variables: [{ name: 'deviceId', required: true }],
    steps: [{ label: 'Clean', type: 'act', tool: 'disk_cleanup', approvers: ['U0BOB'] }],
  };

  it.each([
    ['person', gated(), 'step "Approve release" is waiting for an approval from U0BOB, S0SRE'],
    ['agent', gated(), 'step "Approve release" is waiting for an approval from U0BOB, S0SRE'],
    ['person', gated({ approvers: [] }), 'step "Approve release" is waiting for an approval from anyone in the channel'],
    ['agent', gated({ approvers: [] }), 'step "Approve release" is waiting for an approval from anyone in the channel'],
    ['agent', gated({ allow_self_approval: false }), 'from U0BOB, S0SRE (not the person who started the run)'],
    ['agent', gated({ approvers: ['apikey:release-bot'] }), 'from apikey:release-bot'],
    ['person', hybrid, 'step "Clean" is waiting for an approval before its tool disk_cleanup runs from U0BOB'],
    ['agent', hybrid, 'step "Clean" is waiting for an approval before its tool disk_cleanup runs from U0BOB'],
  ] as const)('a %s run refuses it as awaiting_approval (%#)', (driver, definition, message) => {
    const { run } = begin(definition, definition === hybrid ? { deviceId: 'web-01' } : {}, alice, driver);
    expect(refused(run, advance(), 'awaiting_approval')).toContain(message);
    expect(refused(run, advance({ outcome: 'approved' }), 'awaiting_approval')).toContain(message);
  });
});

describe('approve and reject on a gate of an agent run', () => {
  it.each([
    ['approve', undefined, 'approved'],
    ['approve', 'LGTM', 'approved'],
    ['reject', undefined, 'rejected'],
    ['reject', 'not on a Friday', 'rejected'],
  ] as const)('%s (notes %s) records %s on the step and leaves it active', (type, notes, outcome) => {
    const run = agentRun();
    const result = step(run, { type, actor: bob, key: 'slack-1', source: 'slack:C1', ...(notes ? { notes } : {}) }, NOW + 60_000);
    expect(result.run.status).toBe('running');
    expect(current(result.run)).toBe('gate');
    expect(stateOf(result.run, 'gate')).toMatchObject({ status: 'active', outcome, decided_by: bob, notes: notes ?? null, actor: null, completed_at: null });
    expect(stateOf(result.run, 'ship').status).toBe('pending');
    expect(result.effects).toEqual([{ type: 'render', run_id: run.id }]);
    expect(result.audit).toEqual({
      seq: 2,
      at: NOW + 60_000,
      actor: bob,
      source: 'slack:C1',
      command: type,
      key: 'slack-1',
      step_id: 'rbs_gate',
      visit: 1,
      outcome: null,
      notes: notes ?? null,
      from_status: 'running',
      to_status: 'running',
    });
    expect(result.run.updated_at).toBe(NOW + 60_000);
  });

  it.each([
    ['approve', 'approve', 'already approved by bob'],
    ['approve', 'reject', 'already approved by bob'],
    ['reject', 'approve', 'already rejected by bob'],
    ['reject', 'reject', 'already rejected by bob'],
  ] as const)('after %s, refuses %s as a conflict', (first, second, message) => {
    const decided = step(agentRun(), { type: first, actor: bob }).run;
    expect(refused(decided, { type: second, actor: carol }, 'conflict')).toContain(`step "Approve release" is ${message}`);
  });

  it('applies the same decision sent twice with one key once', () => {
    const decided = step(agentRun(), { type: 'approve', actor: bob, key: 'k1' }).run;
    expect(transition(decided, { type: 'approve', actor: bob, key: 'k1' }, { now: NOW })).toMatchObject({ ok: true, duplicate: true, run: decided });
  });

  const apiKey = (id: string, groups?: string[]): Actor => ({ kind: 'api', id, ...(groups ? { groups } : {}) });
  it.each([
    ['a listed user', gated(), bob, null],
    ['a member of a listed group', gated(), carol, null],
    ['someone not listed', gated(), mallory, 'only U0BOB, S0SRE may approve or reject step "Approve release"'],
    ['anyone, when no approvers are named', gated({ approvers: [] }), mallory, null],
    ['the starter, when self-approval is off', gated({ approvers: [], allow_self_approval: false }), agent, 'needs someone other than the person who started the run'],
    ['a listed API key by its name', gated({ approvers: ['apikey:release-bot'] }), apiKey('release-bot'), null],
    ['a listed API key by its apikey: id', gated({ approvers: ['apikey:release-bot'] }), apiKey('apikey:release-bot'), null],
    ['another API key', gated({ approvers: ['apikey:release-bot'] }), apiKey('other-bot'), 'only apikey:release-bot may approve'],
    ['an API key claiming a listed group', gated(), apiKey('release-bot', ['S0SRE']), 'only U0BOB, S0SRE may approve'],
    ['a Slack user claiming an API key', gated({ approvers: ['apikey:release-bot'] }), { ...mallory, groups: ['apikey:release-bot'] }, 'only apikey:release-bot may approve'],
  ] satisfies [string, unknown, Actor, string | null][])('lets %s decide, or refuses as forbidden', (_who, definition, actor, refusal) => {
    for (const driver of DRIVERS) {
      const run = begin(definition, {}, agent, driver).run;
      for (const type of ['approve', 'reject'] as const) {
        if (refusal === null) expect(transition(run, { type, actor }, { now: NOW }).ok).toBe(true);
        else expect(refused(run, { type, actor }, 'forbidden')).toContain(refusal);
      }
    }
  });

  it('tells anyone who tries once the gate is decided that it is, approver or not', () => {
    const decided = step(agentRun(), approve()).run;
    expect(refused(decided, reject(mallory), 'conflict')).toContain('already approved by bob');
  });
});

describe('advance on a decided gate of an agent run', () => {
  const decidedRun = (decision: 'approve' | 'reject', definition: unknown = gated(), notes = 'checked the dashboards') =>
    step(agentRun(definition), { type: decision, actor: bob, notes }, NOW + 1_000).run;

  it.each([
    ['approve', {}, 'approved'],
    ['approve', { outcome: 'approved' }, 'approved'],
  ] as const)('after %s, advance %j moves on with %s', (decision, extra, outcome) => {
    const run = decidedRun(decision);
    const result = step(run, advance(extra), NOW + 5_000);
    expect(current(result.run)).toBe('ship');
    expect(result.run.status).toBe('running');
    expect(stateOf(result.run, 'gate')).toMatchObject({
      status: 'completed',
      outcome,
      decided_by: bob,
      actor: agent,
      notes: 'checked the dashboards',
      completed_at: NOW + 5_000,
      duration_ms: 5_000,
    });
    expect(result.audit).toMatchObject({ command: 'advance', actor: agent, step_id: 'rbs_gate', visit: 1, outcome, from_status: 'running', to_status: 'running' });
    expect(result.effects).toContainEqual({ type: 'render', run_id: run.id });
  });

  it.each([
    ['approve', 'done', 'outcome "done" does not match the decision on step "Approve release": approved by bob'],
    ['approve', 'rejected', 'outcome "rejected" does not match the decision on step "Approve release": approved by bob'],
    ['reject', 'approved', 'outcome "approved" does not match the decision on step "Approve release": rejected by bob'],
  ] as const)('after %s, refuses advance with outcome %s as validation, naming both', (decision, outcome, message) => {
    expect(refused(decidedRun(decision), advance({ outcome }), 'validation')).toBe(message);
  });

  it.each([
    [{}, 'checked the dashboards'],
    [{ notes: 'rolled out to 5%' }, 'rolled out to 5%'],
  ])('keeps the approver\'s notes unless the agent gives its own: %j', (extra, notes) => {
    const result = step(decidedRun('approve'), advance({ ...extra, output: { build: '42' } }));
    expect(stateOf(result.run, 'gate')).toMatchObject({ notes, output: { build: '42' } });
  });

  it.each([{}, { outcome: 'rejected' }])('after reject, advance %j follows the rejected route', (extra) => {
    const result = step(decidedRun('reject', routed), advance(extra));
    expect(current(result.run)).toBe('back');
    expect(stateOf(result.run, 'gate')).toMatchObject({ status: 'completed', outcome: 'rejected', decided_by: bob, actor: agent });
    expect(result.audit).toMatchObject({ outcome: 'rejected' });
  });

  it('after reject, advance fails the run as a rejection does when there is no rejected route', () => {
    const run = decidedRun('reject');
    const result = step(run, advance(), NOW + 5_000);
    expect(result.run.status).toBe('failed');
    expect(result.run.error_message).toBe('step "Approve release" failed: rejected by bob');
    expect(stateOf(result.run, 'gate')).toMatchObject({ status: 'failed', outcome: 'rejected', decided_by: bob, actor: agent, error: 'rejected by bob', notes: 'checked the dashboards' });
    expect(result.effects).toContainEqual({ type: 'runFinished', run_id: run.id, status: 'failed' });
    expect(result.audit).toMatchObject({ command: 'advance', outcome: 'rejected', from_status: 'running', to_status: 'failed' });
  });

  it('fails the run exactly as a person run fails on the same rejection, apart from who finished the step', () => {
    const viaAgent = step(decidedRun('reject', gated(), 'no'), advance(), NOW + 1_000).run;
    const viaPerson = step(begin(gated(), {}, agent).run, reject(bob, 'no'), NOW + 1_000).run;
    const withoutDriver = (run: Run) => ({
      ...run,
      driver: null,
      audit_seq: null,
      steps: run.steps.map((s) => ({ ...s, actor: null, decided_by: null })),
    });
    expect(withoutDriver(viaAgent)).toEqual(withoutDriver(viaPerson));
  });

  it('applies the gate\'s on_failure policy to a rejection', () => {
    const result = step(decidedRun('reject', gated({ on_failure: 'continue' })), advance());
    expect(current(result.run)).toBe('ship');
    expect(stateOf(result.run, 'gate')).toMatchObject({ status: 'failed', outcome: 'rejected' });
  });

  it('takes an advance pinned to the gate\'s step and visit', () => {
    const run = decidedRun('approve');
    expect(current(step(run, { ...advance(), step_id: 'rbs_gate', visit: visitOf(run) } as Command).run)).toBe('ship');
  });
});

describe('a decision across pause, resume, retry and later visits', () => {
  it('keeps the decision while paused; advance waits for resume', () => {
    let run = step(step(agentRun(), approve()).run, { type: 'pause', actor: alice }).run;
    expect(refused(run, advance(), 'conflict')).toContain('paused');
    run = step(run, { type: 'resume', actor: alice }).run;
    expect(stateOf(run, 'gate')).toMatchObject({ status: 'active', outcome: 'approved', decided_by: bob });
    expect(current(step(run, advance()).run)).toBe('ship');
  });

  it('forgets the decision on a retry of the rejected gate', () => {
    let run = step(step(agentRun(), reject()).run, advance()).run;
    run = step(run, { type: 'retry', actor: alice }).run;
    expect(stateOf(run, 'gate')).toMatchObject({ status: 'active', outcome: null, decided_by: null, notes: null, visits: 2 });
    expect(refused(run, advance(), 'awaiting_approval')).toContain('Approve release');
  });

  it('forgets the decision when a loop comes back to the gate', () => {
    const loop = {
      name: 'Loop',
      steps: [
        { label: 'Approve release', ref: 'gate', type: 'gate', next_on_outcome: { rejected: 'step:fix' } },
        { label: 'Ship', ref: 'ship', next_default: null },
        { label: 'Fix', ref: 'fix', next_default: 'step:gate' },
      ],
    };
    let run = step(step(agentRun(loop), reject(bob, 'fix the typo')).run, advance()).run;
    run = step(run, advance()).run;
    expect(current(run)).toBe('gate');
    expect(stateOf(run, 'gate')).toMatchObject({ status: 'active', visit: 3, visits: 2, outcome: null, decided_by: null, notes: null });
    expect(gateDecision(run, run.runbook.steps[0]!, stateOf(run, 'gate'))).toBeNull();
    run = step(step(run, approve()).run, advance()).run;
    expect(current(run)).toBe('ship');
  });

  it('lets a person skip or fail a decided gate as any other step', () => {
    const decided = step(agentRun(gated({ required: false })), approve()).run;
    expect(current(step(decided, { type: 'skip', actor: alice }).run)).toBe('ship');
    expect(step(decided, { type: 'fail', actor: alice, notes: 'changed my mind' }).run.status).toBe('failed');
  });
});

describe('what stays as it was', () => {
  it('finishes a gate of a person run on approve, with no decision left on it', () => {
    const run = step(begin(gated(), {}, agent, 'person').run, approve()).run;
    expect(current(run)).toBe('ship');
    expect(stateOf(run, 'gate')).toMatchObject({ status: 'completed', outcome: 'approved', actor: bob, decided_by: null });
  });

  it.each(DRIVERS)('starts the tool of a hybrid act on approval in a %s run', (driver) => {
    const hybrid = {
      name: 'Disk',
      audience: 'hybrid',
      variables: [{ name: 'deviceId', required: true }],
      steps: [{ label: 'Clean', ref: 'clean', type: 'act', tool: 'disk_cleanup', approvers: ['U0BOB'] }],
    };
    const { run } = begin(hybrid, { deviceId: 'web-01' }, alice, driver);
    const approved = step(run, approve());
    expect(approved.effects).toContainEqual(expect.objectContaining({ type: 'runTool', tool: 'disk_cleanup', step_type: 'act' }));
    expect(stateOf(approved.run, 'clean')).toMatchObject({ awaiting_approval: false, tool_running: true, actor: bob, decided_by: null });
    expect(refused(approved.run, advance(), 'conflict')).toContain('runs the tool disk_cleanup');
    const finished = step(approved.run, { type: 'tool_result', actor: system, step_id: 'rbs_clean', visit: 1, ok: true }).run;
    expect(finished.status).toBe('completed');
  });

  it.each(DRIVERS)('advances an ordinary step of a %s run with a plain Done', (driver) => {
    const plain = begin({ name: 'P', steps: [{ label: 'One' }, { label: 'Two' }] }, {}, alice, driver).run;
    const result = step(plain, done());
    expect(current(result.run)).toBe('2');
    expect(result.audit).toMatchObject({ outcome: 'done' });
  });
});

// N-of-M approvals: a gate or hybrid act with approvals_required N moves on only once N
// distinct approvers have approved; the run's starter never counts, nobody counts twice, a
// single reject decides, and each visit starts from none.
import { describe, expect, it } from 'vitest';

import { parseDefinition } from '../../src/engine/definition/index.js';
import type { Actor, Run } from '../../src/engine/index.js';
import { NOW, alice, begin, bob, refused, step, system } from './support/runbook.js';

const carol: Actor = { kind: 'slack', id: 'U0CAROL', name: 'carol' };
const dave: Actor = { kind: 'slack', id: 'U0DAVE', name: 'dave' };
const release = (extra: Record<string, unknown> = {}) => ({
  name: 'Release',
  steps: [{ label: 'Two sign-offs', type: 'gate', approvers: ['U0ALICE', 'U0BOB', 'U0CAROL', 'U0DAVE'], approvals_required: 2, ...extra }, { label: 'Ship' }],
});
const approve = (actor: Actor) => ({ type: 'approve' as const, actor, step_id: 'rbs_1', visit: 1 });

describe('approvals_required', () => {
  it('waits for the second distinct approver, recording each approval as it comes', () => {
    const { run } = begin(release());
    const one = step(run, approve(bob), NOW + 1_000).run;
    expect(one.current_step_id).toBe('rbs_1');
    expect(one.steps[0]).toMatchObject({ status: 'active', approvals: [{ by: bob, at: NOW + 1_000 }] });
    const two = step(one, approve(carol), NOW + 2_000).run;
    expect(two.current_step_id).toBe('rbs_2');
    expect(two.steps[0]).toMatchObject({ status: 'completed', outcome: 'approved', approvals: [{ by: bob }, { by: carol }] });
  });

  it('does not count the same approver twice', () => {
    const one = step(begin(release()).run, approve(bob)).run;
    expect(refused(one, approve(bob), 'conflict')).toBe('you already approved step "Two sign-offs" (1 of 2 approvals so far)');
  });

  it('never counts the person who started the run, even when self-approval is allowed', () => {
    const { run } = begin(release({ allow_self_approval: true }), {}, alice);
    expect(refused(run, approve(alice), 'forbidden')).toBe('step "Two sign-offs" needs 2 approvals from people other than whoever started the run');
  });

  it('still refuses someone who is not an approver', () => {
    const { run } = begin({ ...release(), steps: [{ label: 'Two sign-offs', type: 'gate', approvers: ['U0BOB', 'U0CAROL'], approvals_required: 2 }] });
    expect(refused(run, approve(dave), 'forbidden')).toContain('only U0BOB, U0CAROL may approve');
  });

  it('is decided by one reject, whatever was approved before', () => {
    const one = step(begin(release()).run, approve(bob)).run;
    const rejected = step(one, { type: 'reject', actor: carol, step_id: 'rbs_1', visit: 1 }).run;
    expect(rejected.status).toBe('failed');
    expect(rejected.steps[0]).toMatchObject({ status: 'failed', error: 'rejected by carol' });
  });

  it('starts each visit from no approvals', () => {
    const loop = {
      name: 'Loop',
      steps: [
        { label: 'Two sign-offs', ref: 'sign', type: 'gate', approvers: ['U0BOB', 'U0CAROL', 'U0DAVE'], approvals_required: 2, next_on_outcome: { rejected: 'step:again' } },
        { label: 'Again', ref: 'again', next_on_outcome: { done: 'step:sign' } },
      ],
    };
    let { run } = begin(loop);
    run = step(run, { type: 'approve', actor: bob, step_id: 'rbs_sign', visit: 1 }).run;
    run = step(run, { type: 'reject', actor: carol, step_id: 'rbs_sign', visit: 1 }).run;
    run = step(run, { type: 'advance', actor: alice }).run;
    expect(run.current_step_id).toBe('rbs_sign');
    expect(run.steps[0]).toMatchObject({ status: 'active', approvals: [] });
  });

  it('runs a hybrid act\'s tool only after its second approval', () => {
    const hybrid = { name: 'H', audience: 'hybrid', steps: [{ label: 'Restart', type: 'act', tool: 'manage_services', approvers: ['U0BOB', 'U0CAROL'], approvals_required: 2 }] };
    const { run } = begin(hybrid, { deviceId: 'web-01' });
    const one = step(run, approve(bob));
    expect(one.effects.some((e) => e.type === 'runTool')).toBe(false);
    expect(one.run.steps[0]).toMatchObject({ awaiting_approval: true });
    const two = step(one.run, approve(carol));
    expect(two.effects).toContainEqual(expect.objectContaining({ type: 'runTool', tool: 'manage_services' }));
  });

  it('records the decision on an agent run\'s gate only once it has its approvals; the agent never counts', () => {
    const agent: Actor = { kind: 'api', id: 'apikey:deployer', name: 'deployer' };
    const gated = { name: 'A', steps: [{ label: 'Two sign-offs', type: 'gate', approvers: ['U0BOB', 'U0CAROL', 'apikey:deployer'], approvals_required: 2 }, { label: 'Ship' }] };
    const { run } = begin(gated, {}, agent, 'agent');
    expect(refused(run, approve(agent), 'forbidden')).toContain('other than whoever started the run');
    const one = step(run, approve(bob)).run;
    expect(one.steps[0]).toMatchObject({ decided_by: null, outcome: null });
    const two = step(one, approve(carol)).run;
    expect(two.steps[0]).toMatchObject({ decided_by: carol, outcome: 'approved', status: 'active' });
    expect(step(two, { type: 'advance', actor: agent }).run.current_step_id).toBe('rbs_2');
  });

  it('is checked in the definition: only on gates and acts, and at most the named approvers', () => {
    const problems = (definition: unknown) => {
      const parsed = parseDefinition(definition);
      return parsed.ok ? [] : parsed.problems.map((p) => `${p.path}: ${p.message}`);
    };
    expect(problems({ name: 'X', steps: [{ label: 'G', type: 'gate', approvers: ['U0BOB'], approvals_required: 2 }] })).toEqual([
      'steps[0].approvals_required: must be at most the number of approvers (1)',
    ]);
    expect(problems({ name: 'X', steps: [{ label: 'A', approvals_required: 2 }] })).toEqual([
      'steps[0].approvals_required: is only allowed on gate, act steps (this step is action)',
    ]);
    // A user group may hold any number of people.
    expect(problems({ name: 'X', steps: [{ label: 'G', type: 'gate', approvers: ['S0OPS'], approvals_required: 3 }] })).toEqual([]);
    expect(begin(release()).run.runbook.steps[0]!.approvals_required).toBe(2);
    expect(begin({ name: 'One', steps: [{ label: 'G', type: 'gate' }] }).run.runbook.steps[0]!.approvals_required).toBe(1);
  });
});


describe('approvals and the run given to transition', () => {
  it('leaves the run it was given as it was', () => {
    const { run } = begin(release());
    const before = structuredClone(run);
    step(run, approve(bob));
    expect(run).toEqual(before);
  });
});

describe('approval_timeout_seconds', () => {
  const timed = (extra: Record<string, unknown>, more: Record<string, unknown> = {}) => ({
    name: 'Timed',
    steps: [{ label: 'Sign-off', type: 'gate', approvers: ['U0BOB'], approval_timeout_seconds: 60, ...extra }, { label: 'Ship' }, ...(more.steps as unknown[] ?? [])],
  });
  const expire = (run: Run, at = NOW + 60_000) => step(run, { type: 'timer_fired', kind: 'approval_timeout', actor: system, step_id: 'rbs_1', visit: 1 }, at);

  it('is scheduled when the gate starts waiting', () => {
    const { run, effects } = begin(timed({}));
    const timer = { kind: 'approval_timeout', step_id: 'rbs_1', visit: 1, due_at: NOW + 60_000 };
    expect(run.timers).toEqual([timer]);
    expect(effects).toContainEqual({ type: 'scheduleTimer', run_id: run.id, timer });
  });

  it('rejects by default: a gate without a rejected route fails the run', () => {
    const expired = expire(begin(timed({})).run).run;
    expect(expired.status).toBe('failed');
    expect(expired.steps[0]).toMatchObject({ status: 'failed', outcome: 'rejected', notes: 'no approval within 60 s', error: 'rejected by the approval deadline' });
  });

  it('takes the rejected route when the gate has one', () => {
    const routed = { name: 'Routed', steps: [{ label: 'Sign-off', type: 'gate', approvers: ['U0BOB'], approval_timeout_seconds: 60, next_on_outcome: { rejected: 'step:back' } }, { label: 'Ship' }, { label: 'Back out', ref: 'back' }] };
    const expired = expire(begin(routed).run).run;
    expect(expired.current_step_id).toBe('rbs_back');
  });

  it('fails the step with on_timeout fail', () => {
    const expired = expire(begin(timed({ on_timeout: 'fail' })).run).run;
    expect(expired.steps[0]).toMatchObject({ status: 'failed', error: 'no approval within 60 s' });
  });

  it('escalates with on_timeout escalate and keeps waiting for the approvers', () => {
    const expired = expire(begin(timed({ on_timeout: 'escalate', escalation_channel: 'C0ESCAL8' })).run).run;
    expect(expired.steps[0]).toMatchObject({ status: 'active', escalated: true });
    expect(expired.timers).toEqual([]);
    expect(step(expired, approve(bob)).run.current_step_id).toBe('rbs_2');
  });

  it('fails a hybrid act waiting for approval, before its tool ever runs', () => {
    const hybrid = { name: 'H', audience: 'hybrid', steps: [{ label: 'Restart', type: 'act', tool: 'manage_services', approvers: ['U0BOB'], approval_timeout_seconds: 60, on_timeout: 'fail' }] };
    const expired = expire(begin(hybrid, { deviceId: 'web-01' }).run);
    expect(expired.run.steps[0]).toMatchObject({ status: 'failed', error: 'no approval within 60 s', awaiting_approval: false, tool_tries: 0 });
    expect(expired.effects.some((e) => e.type === 'runTool')).toBe(false);
  });

  it('goes when the approval comes in time; a late one is stale', () => {
    const approved = step(begin(timed({})).run, approve(bob)).run;
    expect(approved.timers).toEqual([]);
    refused(approved, { type: 'timer_fired', kind: 'approval_timeout', actor: system, step_id: 'rbs_1', visit: 1 }, 'conflict', NOW + 60_000);
  });

  it('records a rejection on an agent run\'s gate, for the agent to advance on', () => {
    const agent: Actor = { kind: 'api', id: 'apikey:deployer', name: 'deployer' };
    const expired = expire(begin(timed({}), {}, agent, 'agent').run).run;
    expect(expired.steps[0]).toMatchObject({ status: 'active', outcome: 'rejected', decided_by: { id: 'approval-timer' } });
  });

  it('is checked in the definition', () => {
    const problems = (step: Record<string, unknown>) => {
      const parsed = parseDefinition({ name: 'X', steps: [{ label: 'G', type: 'gate', ...step }] });
      return parsed.ok ? [] : parsed.problems.map((p) => `${p.path}: ${p.message}`);
    };
    expect(problems({ on_timeout: 'fail' })).toEqual(['steps[0].on_timeout: needs approval_timeout_seconds on the same step']);
    expect(problems({ approval_timeout_seconds: 60, on_timeout: 'escalate' })).toEqual(['steps[0].escalation_channel: is required when on_timeout is escalate']);
    expect(problems({ approval_timeout_seconds: 60, escalation_channel: 'C0ESCAL8' })).toEqual(['steps[0].escalation_channel: is only used when on_timeout is escalate']);
    expect(problems({ approval_timeout_seconds: 60, on_timeout: 'later' })).toEqual([expect.stringMatching(/^steps\[0\]\.on_timeout: .*reject.*fail.*escalate/)]);
  });
});

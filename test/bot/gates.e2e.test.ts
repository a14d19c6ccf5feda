// Gates through the real Bolt app: who may approve is decided by the engine from the gate's
// approvers (users, or Slack user groups resolved with usergroups.users.list) and
// allow_self_approval. A refusal changes nothing, tells only the clicker why, and the
// clicked message is drawn again from the stored run.
import { describe, expect, it, vi } from 'vitest';

import { buildRunMessage } from '../../src/bot/views/run-message.js';
import { useBotRig } from './support/bot-rig.js';
import { startRun, textOf, updatesOf, withoutClock, type LiveRun } from './support/run-message.js';

const ONCALL = 'S0ONCALL';
const rig = useBotRig({ fake: { usergroups: { [ONCALL]: ['U0CAROL'] } } });

/** Clicks as `user`, expects a refusal saying `why`, and checks that nothing changed. */
async function expectRefused(live: LiveRun, label: string, user: string, why: string): Promise<void> {
  const { answer, before, after, click } = await live.clickRefused(label, { user });
  expect(answer.body).toMatchObject({ response_type: 'ephemeral', replace_original: false, text: why });
  expect(after).toEqual(before);
  // The clicked message is re-rendered from the stored run (once), and still offers the gate.
  expect(updatesOf(rig, live.ts, click.since)).toHaveLength(1);
  expect(withoutClock(live.message())).toBe(withoutClock(buildRunMessage(after.run, { now: Date.now() })));
  expect(live.labels()).toContain('Approve');
  // Only the clicker hears about it: nothing posted in the channel or the thread.
  expect(rig().fake.calls.slice(click.since).filter((c) => c.method === 'chat.postMessage')).toEqual([]);
}

describe('a gate with approvers', () => {
  it('refuses Approve and Reject from a user who is not an approver, then completes the gate when a listed approver approves', async () => {
    await rig().publish({ name: 'Open the firewall', steps: [{ label: 'Sign-off', type: 'gate', approvers: ['U0BOB'] }, { label: 'Apply rule' }] });
    const live = await startRun(rig, 'Open the firewall', { threadReplies: 1 });
    expect(live.text()).toContain('🔐 Needs approval from <@U0BOB>');
    // The approvers are asked in the thread: an edit of the message would not notify them.
    expect(textOf(rig().fake.threadReplies(live.channel, live.ts)[0])).toContain('<@U0BOB>');
    expect(live.labels()).toEqual(['Approve', 'Reject', 'Fail', 'Pause', 'Cancel']);

    await expectRefused(live, 'Approve', 'U0MALLORY', 'only U0BOB may approve or reject step "Sign-off"');
    await expectRefused(live, 'Reject', 'U0MALLORY', 'only U0BOB may approve or reject step "Sign-off"');

    const { run, audit } = await live.clickOk('Approve', { user: 'U0BOB' });
    expect(run.steps[0]).toMatchObject({ status: 'completed', outcome: 'approved', actor: { kind: 'slack', id: 'U0BOB' } });
    expect(run.current_step_id).toBe(run.runbook.steps[1]!.id);
    expect(audit.map((e) => `${e.command}:${e.actor.id}`)).toEqual(['start:U0ALICE', 'approve:U0BOB']);
    expect(live.labels()[0]).toBe('Done');
  });

  it('refuses a user outside the approving user group and accepts a member of it', async () => {
    const { fake, publish } = rig();
    await publish({ name: 'Scale down cluster', steps: [{ label: 'On-call approves', type: 'gate', approvers: [ONCALL] }] });
    const live = await startRun(rig, 'Scale down cluster', { threadReplies: 1 });
    expect(live.text()).toContain(`🔐 Needs approval from <!subteam^${ONCALL}>`);
    expect(textOf(fake.threadReplies(live.channel, live.ts)[0])).toContain(`<!subteam^${ONCALL}>`);
    const since = fake.calls.length;

    await expectRefused(live, 'Approve', 'U0DAVE', `only ${ONCALL} may approve or reject step "On-call approves"`);
    expect(fake.calls.slice(since).filter((c) => c.method === 'usergroups.users.list').map((c) => c.args.usergroup)).toEqual([ONCALL]);

    const { run, audit } = await live.clickOk('Approve', { user: 'U0CAROL' });
    expect(run.status).toBe('completed');
    expect(run.steps[0]).toMatchObject({ status: 'completed', outcome: 'approved', actor: { id: 'U0CAROL', groups: [ONCALL] } });
    expect(audit.at(-1)).toMatchObject({ command: 'approve', actor: { id: 'U0CAROL', groups: [ONCALL] }, to_status: 'completed' });
    expect(live.buttons()).toEqual([]);
  });

  it('refuses approval by the person who started the run when self-approval is not allowed, and accepts anyone else', async () => {
    await rig().publish({ name: 'Ship hotfix', steps: [{ label: 'Write the patch' }, { label: 'Review', type: 'gate', allow_self_approval: false }] });
    const live = await startRun(rig, 'Ship hotfix', { user: 'U0ALICE' });
    await live.clickOk('Done', { user: 'U0ALICE' });
    expect(live.text()).toContain('🔐 Needs approval from anyone (not the person who started the run)');

    await expectRefused(live, 'Approve', 'U0ALICE', 'step "Review" needs someone other than the person who started the run');

    const { run } = await live.clickOk('Approve', { user: 'U0BOB' });
    expect(run.status).toBe('completed');
    expect(run.steps[1]).toMatchObject({ status: 'completed', outcome: 'approved', actor: { id: 'U0BOB' } });
    expect(live.text()).toContain('✅ *Completed* in');
  });
});

describe('a gate that needs two approvals', () => {
  const twoOfThree = { name: 'Drop the old table', steps: [{ label: 'Two DBAs', type: 'gate', approvers: ['U0BOB', 'U0CAROL', 'U0DAVE'], approvals_required: 2 }, { label: 'Drop it' }] };

  it('shows each approval as it comes, refuses a second one from the same person and the starter, and passes on the second approver', async () => {
    await rig().publish(twoOfThree);
    const live = await startRun(rig, twoOfThree.name, { threadReplies: 1 });
    expect(live.text()).toContain('🔐 Needs approval from 2 of <@U0BOB>, <@U0CAROL>, <@U0DAVE> (not the person who started the run) · 0 of 2 so far');

    const { run: once } = await live.clickOk('Approve', { user: 'U0BOB', userName: 'bob' });
    expect(once.steps[0]).toMatchObject({ status: 'active', approvals: [{ by: { id: 'U0BOB' } }] });
    expect(live.text()).toContain('· 1 of 2 so far: <@U0BOB>');
    expect(live.labels()).toContain('Approve');

    await expectRefused(live, 'Approve', 'U0BOB', 'you already approved step "Two DBAs" (1 of 2 approvals so far)');
    // U0ALICE started the run; the gate names her nowhere, so she is refused as a non-approver first.
    await expectRefused(live, 'Approve', 'U0ALICE', 'only U0BOB, U0CAROL, U0DAVE may approve or reject step "Two DBAs"');

    const { run, audit } = await live.clickOk('Approve', { user: 'U0DAVE', userName: 'dave' });
    expect(run.steps[0]).toMatchObject({ status: 'completed', outcome: 'approved', approvals: [{ by: { id: 'U0BOB' } }, { by: { id: 'U0DAVE' } }] });
    expect(audit.map((e) => `${e.command}:${e.actor.id}`)).toEqual(['start:U0ALICE', 'approve:U0BOB', 'approve:U0DAVE']);
    expect(live.labels()[0]).toBe('Done');
  });

  it('counts both of two approvals clicked at the same moment, and passes once', async () => {
    const { fake } = rig();
    await rig().publish({ ...twoOfThree, name: 'Drop the older table' });
    const live = await startRun(rig, 'Drop the older table', { threadReplies: 1 });
    const approve = live.button('Approve');
    const clicks = await Promise.all([
      live.click('Approve', { button: approve, user: 'U0BOB', userName: 'bob' }),
      live.click('Approve', { button: approve, user: 'U0CAROL', userName: 'carol' }),
    ]);
    await vi.waitFor(async () => expect((await live.snapshot()).run.steps[0]!.status).toBe('completed'), { timeout: 5_000 });
    await rig().app.notifier?.idle();
    const { run, audit } = await live.snapshot();
    expect(run.steps[0]!.approvals.map((a) => a.by.id).sort()).toEqual(['U0BOB', 'U0CAROL']);
    expect(audit.filter((e) => e.command === 'approve')).toHaveLength(2);
    expect(run.current_step_id).toBe(run.runbook.steps[1]!.id);
    expect(clicks.flatMap((c) => fake.responses(c.responseId))).toEqual([]);
  });
});

describe('a gate whose approvers do not answer in time', () => {
  it('escalates once to the escalation channel, mentioning the approvers, and still takes their approval', async () => {
    const { fake, publish } = rig();
    await publish({ name: 'Rotate the root key', steps: [{ label: 'Security signs off', type: 'gate', approvers: ['U0BOB'], approval_timeout_seconds: 1, on_timeout: 'escalate', escalation_channel: 'C0ESCAL8' }, { label: 'Rotate' }] });
    const live = await startRun(rig, 'Rotate the root key', { threadReplies: 1 });
    const posted = await fake.waitForCall('chat.postMessage', (args) => args.channel === 'C0ESCAL8', { timeoutMs: 5_000 });
    expect(textOf(fake.message('C0ESCAL8', posted.result?.ts as string))).toBe(
      `:rotating_light: *Escalation:* *Security signs off* in a run of *Rotate the root key* (<#${live.channel}>) has waited 1 s for an approval from <@U0BOB>. Approve or reject it on the run message.`,
    );
    await vi.waitFor(() => expect(live.text()).toContain('escalated to <#C0ESCAL8>'));
    await new Promise((r) => setTimeout(r, 300));
    await rig().app.notifier?.idle();
    expect(fake.calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === 'C0ESCAL8')).toHaveLength(1);
    const { run } = await live.clickOk('Approve', { user: 'U0BOB' });
    expect(run.steps[0]).toMatchObject({ status: 'completed', outcome: 'approved', escalated: true });
  });

  it('rejects by default when nobody answers: the run fails, and says why', async () => {
    await rig().publish({ name: 'Open port 22', steps: [{ label: 'Sign-off', type: 'gate', approvers: ['U0BOB'], approval_timeout_seconds: 1 }, { label: 'Open it' }] });
    const live = await startRun(rig, 'Open port 22', { threadReplies: 1 });
    await vi.waitFor(async () => expect((await live.snapshot()).run.status).toBe('failed'), { timeout: 5_000 });
    await rig().app.notifier?.idle();
    expect(live.text()).toContain('step "Sign-off" failed: rejected by the approval deadline');
  });
});

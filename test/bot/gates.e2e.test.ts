// Gates through the real Bolt app: who may approve is decided by the engine from the gate's
// approvers (users, or Slack user groups resolved with usergroups.users.list) and
// allow_self_approval. A refusal changes nothing, tells only the clicker why, and the
// clicked message is drawn again from the stored run.
import { describe, expect, it } from 'vitest';

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

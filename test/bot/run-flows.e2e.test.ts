// Runs driven end to end through the real Bolt app, only by what a person does in Slack:
// clicking the buttons the live message shows, answering the fail modal, typing /runbook.
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

import { ViewId } from '../../src/bot/slack-ids.js';
import { formatDuration } from '../../src/bot/views/run-format.js';
import { buildRunMessage } from '../../src/bot/views/run-message.js';
import type { Run } from '../../src/engine/index.js';
import { createPermissionStore } from '../../src/models/permission-store.js';
import { DEFAULT_CHANNEL, DEFAULT_USER, fakeTriggerId, plainTextInputValues, viewSubmissionPayload } from '../support/slack-requests.js';
import { useBotRig } from './support/bot-rig.js';
import { startRun, textOf, updatesOf, withoutClock, type LiveRun } from './support/run-message.js';

const rig = useBotRig();

const APPROVER = 'U012AB3CD';

/** The design's "Deploy to Production" (reference 002 plus a wait and a gate), waiting 1 s instead of 30. */
function deployToProduction(): Record<string, unknown> {
  const text = readFileSync(new URL('../fixtures/definitions/design-deploy-to-production.yaml', import.meta.url), 'utf8');
  const definition = parseYaml(text) as { steps: Array<Record<string, unknown>> };
  const wait = definition.steps.find((s) => s.type === 'wait')!;
  wait.wait_seconds = 1;
  return definition;
}

const stepOf = (run: Run, label: string) => {
  const def = run.runbook.steps.find((s) => s.label === label)!;
  return { def, state: run.steps.find((s) => s.step_id === def.id)! };
};

/** The thread as a reader skims it: each reply's first line. */
const threadHeadings = (live: LiveRun) =>
  rig().fake.threadReplies(live.channel, live.ts).map((m) => textOf(m).split('\n')[0]);

/** The message equals a fresh render of the stored run (but for the ticking "so far"). */
async function expectRenderedFromStore(live: LiveRun): Promise<void> {
  const run = await rig().app.service.get(live.runId);
  expect(withoutClock(live.message())).toBe(withoutClock(buildRunMessage(run, { now: Date.now() })));
}

describe('Deploy to Production, driven by clicks', () => {
  it('fails the tests, loops through the fix, waits a second by itself and completes once an approver approves', async () => {
    const { app, fake, publish } = rig();
    await publish(deployToProduction());
    // The design's runbook requires devices:execute of whoever starts it.
    await createPermissionStore(app.db.conn).grant(DEFAULT_USER.id, ['devices:execute'], { kind: 'cli', id: 'admin' });
    const since = fake.calls.length;
    const live = await startRun(rig, 'deploy-to-production version=2.5.0');

    expect(live.text()).toContain('Step 1/6 · Pull latest code*\nPull 2.5.0.');
    expect(live.labels()).toEqual(['Done', 'Fail', 'Pause', 'Cancel']);
    await live.clickOk('Done');

    // A check: one button per outcome, routed by next_on_outcome.
    expect(live.text()).toContain('Step 2/6 · Run test suite*');
    expect(live.buttons().map((b) => [b.label, b.action_id])).toEqual([
      ['pass', 'run_outcome:pass'],
      ['fail', 'run_outcome:fail'],
      ['Fail', 'run_fail'],
      ['Pause', 'run_pause'],
      ['Cancel', 'run_cancel'],
    ]);
    await live.clickOk('fail');
    expect(live.text()).toContain('Step 3/6 · Fix failures*');

    let { run } = await live.clickOk('Done');
    expect(run.current_step_id).toBe(stepOf(run, 'Run test suite').def.id);
    expect(live.text()).toContain('Step 2/6 · Run test suite* (visit 2)');

    ({ run } = await live.clickOk('pass'));
    expect(live.text()).toContain('Step 4/6 · Deploy*\nDeploy 2.5.0 to production.');

    // The wait: no Done, a due time, and it fires by itself through BullMQ.
    ({ run } = await live.clickOk('Done'));
    expect(run.status).toBe('waiting');
    expect(run.wait?.kind).toBe('wait');
    expect(live.text()).toContain(`⏳ Waiting until <!date^${Math.floor(run.wait!.due_at / 1000)}^`);
    expect(live.labels()).toEqual(['Pause', 'Cancel']);
    await fake.waitFor(() => live.labels().includes('Approve'), { timeoutMs: 10_000 });
    await rig().app.notifier?.idle();

    // The gate lists a user and a user group; the clicker is the listed user. The fake Slack
    // does not know S0614TZR7 (usergroups.users.list: no_such_subteam): a group Slack will
    // not list must not stop an approver listed by name.
    expect(live.text()).toContain(`🔐 Needs approval from <@${APPROVER}>, <!subteam^S0614TZR7>`);
    expect(live.labels()).toEqual(['Approve', 'Reject', 'Fail', 'Pause', 'Cancel']);
    ({ run } = await live.clickOk('Approve', { user: APPROVER, userName: 'dana' }));

    expect(run.status).toBe('completed');
    expect(run.current_step_id).toBeNull();
    expect(run.steps.map((s) => [run.runbook.steps.find((d) => d.id === s.step_id)!.label, s.status, s.outcome, s.visits, s.actor?.id ?? null])).toEqual([
      ['Pull latest code', 'completed', 'done', 1, 'U0ALICE'],
      ['Run test suite', 'completed', 'pass', 2, 'U0ALICE'],
      ['Fix failures', 'completed', 'done', 1, 'U0ALICE'],
      ['Deploy', 'completed', 'done', 1, 'U0ALICE'],
      ['Let metrics settle', 'completed', 'done', 1, null],
      ['Confirm', 'completed', 'approved', 1, APPROVER],
    ]);
    expect(run.completed_at! - run.started_at!).toBeGreaterThanOrEqual(1000);
    const audit = await rig().app.service.audit(live.runId);
    expect(audit.map((e) => `${e.command}:${e.outcome ?? ''}:${e.actor.id}`)).toEqual([
      'start::U0ALICE',
      'advance:done:U0ALICE',
      'advance:fail:U0ALICE',
      'advance:done:U0ALICE',
      'advance:pass:U0ALICE',
      'advance:done:U0ALICE',
      'wait_elapsed::wait-timer',
      'approve::U012AB3CD',
    ]);

    // One message, updated in place: final status and duration, no buttons.
    const posts = fake.calls.slice(since).filter((c) => c.method === 'chat.postMessage' && c.args.thread_ts === undefined);
    expect(posts).toHaveLength(1);
    // One chat.update per command after the start (7), all on the first message's ts.
    expect(updatesOf(rig, live.ts, since)).toHaveLength(7);
    expect(fake.calls.slice(since).filter((c) => c.method === 'chat.update').every((c) => c.args.ts === live.ts)).toBe(true);
    expect(live.message().edited).toBeDefined();
    expect(live.buttons()).toEqual([]);
    expect(live.message().blocks!.some((b) => (b as { type: string }).type === 'actions')).toBe(false);
    expect(live.text()).toContain('✅ Deploy to Production');
    expect(live.text()).toContain(`✅ *Completed* in ${formatDuration(run.completed_at! - run.started_at!)}`);
    expect(live.message().text).toBe('Deploy to Production — completed');

    // The thread: one reply per finished visit, in order, the failed test run included.
    // Replies that are not about a finished step only ask the gate's approvers.
    const isStepReply = (heading: string | undefined) => /^[✓✗⏭] \*Step /.test(heading ?? '');
    expect(threadHeadings(live).filter(isStepReply)).toEqual([
      '✓ *Step 1/6 · Pull latest code* completed',
      '✓ *Step 2/6 · Run test suite* completed',
      '✓ *Step 3/6 · Fix failures* completed',
      '✓ *Step 2/6 · Run test suite* completed (visit 2)',
      '✓ *Step 4/6 · Deploy* completed',
      '✓ *Step 5/6 · Let metrics settle* completed',
      '✓ *Step 6/6 · Confirm* completed',
    ]);
    for (const other of threadHeadings(live).filter((h) => !isStepReply(h))) expect(other).toContain(`<@${APPROVER}>`);
    const replies = fake.threadReplies(live.channel, live.ts).map(textOf).filter((t) => isStepReply(t));
    expect(replies[1]).toContain('outcome `fail`');
    expect(replies[3]).toContain('outcome `pass`');
    expect(replies[6]).toContain(`by <@${APPROVER}> · outcome \`approved\``);
  });
});

describe('failing a step with a reason', () => {
  it('asks why in a modal, refuses a blank reason inline, fails the run with the reason, and Retry makes the step active again', async () => {
    const { fake, slack, publish } = rig();
    await publish({ name: 'Restart cache', steps: [{ label: 'Drain node' }, { label: 'Restart service', instruction: 'systemctl restart redis' }, { label: 'Undrain node' }] });
    const live = await startRun(rig, 'Restart cache');
    await live.clickOk('Done');

    // Fail opens the modal with the click's trigger_id; nothing changes yet.
    const before = await live.snapshot();
    const triggerId = fakeTriggerId();
    const sent = await live.click('Fail', { triggerId });
    const opened = await fake.waitForCall('views.open', undefined, { since: sent.since });
    expect(opened.args.trigger_id).toBe(triggerId);
    const view = opened.result!.view as { id: string; callback_id: string; private_metadata: string };
    expect(view.callback_id).toBe(ViewId.FailReason);
    const restart = stepOf(before.run, 'Restart service');
    expect(JSON.parse(view.private_metadata)).toEqual({
      run_id: live.runId,
      step_id: restart.def.id,
      visit: restart.state.visit,
      channel_id: DEFAULT_CHANNEL.id,
      message_ts: live.ts,
    });
    const submit = (reason: string | null) =>
      slack.viewSubmission(
        viewSubmissionPayload({ callbackId: ViewId.FailReason, viewId: view.id, privateMetadata: view.private_metadata, values: plainTextInputValues({ fail_reason: reason }) }),
      );

    for (const blank of [null, '   \n ']) {
      const refused = await submit(blank);
      expect(refused.status).toBe(200);
      expect(refused.json).toEqual({ response_action: 'errors', errors: { fail_reason: expect.stringContaining('reason is required') } });
    }
    expect(await live.snapshot()).toEqual(before);
    expect(fake.responses(sent.responseId)).toEqual([]);

    const reason = 'Service did not come back: port 6379 refused';
    const since = fake.calls.length;
    const accepted = await submit(`  ${reason}  `);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toBe('');
    const { run } = await live.settled(before, since);
    expect(run.status).toBe('failed');
    expect(stepOf(run, 'Restart service').state).toMatchObject({ status: 'failed', notes: reason, error: reason, actor: { kind: 'slack', id: 'U0ALICE' } });
    expect(run.error_message).toBe(`step "Restart service" failed: ${reason}`);
    expect(live.text()).toContain(`❌ *Failed* after`);
    expect(live.text()).toContain(reason);
    // DESIGN §4: a failed run can only be retried.
    expect(live.labels()).toEqual(['Retry']);
    const failedReply = fake.threadReplies(live.channel, live.ts).map(textOf)[1]!;
    expect(failedReply).toContain('✗ *Step 2/3 · Restart service* failed');
    expect(failedReply).toContain(`*Notes*\n${reason}`);

    const retried = await live.clickOk('Retry');
    expect(retried.run.status).toBe('running');
    expect(retried.run.error_message).toBeNull();
    expect(stepOf(retried.run, 'Restart service').state).toMatchObject({ status: 'active', visits: 2, notes: null });
    expect(live.text()).toContain('Step 2/3 · Restart service* (visit 2)');
    expect(live.labels()).toEqual(['Done', 'Fail', 'Pause', 'Cancel']);

    await live.clickOk('Done');
    const done = await live.clickOk('Done');
    expect(done.run.status).toBe('completed');
    expect(done.audit.map((e) => e.command)).toEqual(['start', 'advance', 'fail', 'retry', 'advance', 'advance']);
    expect(done.audit[2]).toMatchObject({ notes: reason, key: `slack-view:${view.id}`, actor: { id: 'U0ALICE' } });
    expect(live.buttons()).toEqual([]);
    expect(threadHeadings(live)).toEqual([
      '✓ *Step 1/3 · Drain node* completed',
      '✗ *Step 2/3 · Restart service* failed',
      '✓ *Step 2/3 · Restart service* completed (visit 2)',
      '✓ *Step 3/3 · Undrain node* completed',
    ]);
  });
});

describe('pausing, resuming and cancelling', () => {
  it('shows Resume instead of Done while paused, refuses Done from the old copy, resumes, and cancels after the confirm dialog', async () => {
    const { publish } = rig();
    await publish({ name: 'Rotate credentials', steps: [{ label: 'Issue new key' }, { label: 'Roll out key' }, { label: 'Revoke old key' }] });
    const live = await startRun(rig, 'Rotate credentials');
    const oldDone = live.button('Done');

    let { run } = await live.clickOk('Pause');
    expect(run.status).toBe('paused');
    expect(live.labels()).toEqual(['Resume', 'Cancel']);
    expect(live.text()).toContain('⏸️ Paused');

    const { answer, before, after, click } = await live.clickRefused('Done', { button: oldDone });
    expect(answer.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(answer.body.text).toBe(`cannot advance: run ${live.runId} is paused`);
    expect(after).toEqual(before);
    expect(updatesOf(rig, live.ts, click.since)).toHaveLength(1);
    await expectRenderedFromStore(live);

    ({ run } = await live.clickOk('Resume'));
    expect(run.status).toBe('running');
    expect(live.labels()).toEqual(['Done', 'Fail', 'Pause', 'Cancel']);
    ({ run } = await live.clickOk('Done'));
    expect(run.current_step_id).toBe(stepOf(run, 'Roll out key').def.id);

    const cancel = live.button('Cancel');
    expect(cancel.style).toBe('danger');
    expect(cancel.confirm).toMatchObject({ title: { text: 'Cancel this run?' }, confirm: { text: 'Cancel run' }, deny: { text: 'Keep it' } });
    ({ run } = await live.clickOk('Cancel'));
    expect(run.status).toBe('cancelled');
    expect(run.steps.map((s) => [s.status, s.notes])).toEqual([
      ['completed', null],
      ['skipped', 'run cancelled'],
      ['skipped', 'not reached'],
    ]);
    expect(live.buttons()).toEqual([]);
    expect(live.text()).toContain('🚫 Rotate credentials');
    expect(live.text()).toContain('🚫 *Cancelled* after');
  });

  it('pauses and cancels with /runbook pause RUN and /runbook cancel RUN, updating the live message', async () => {
    const { fake, slack, publish } = rig();
    await publish({ name: 'Renew certificates', steps: [{ label: 'Request' }, { label: 'Install' }] });
    const live = await startRun(rig, 'Renew certificates');

    const command = async (text: string, id: string) => {
      const before = await live.snapshot();
      const since = fake.calls.length;
      const reply = await slack.command({ text, user_id: 'U0BOB', user_name: 'bob', response_url: fake.responseUrl(id) });
      expect(reply.status).toBe(200);
      const answer = await fake.waitForResponse(id);
      return { answer, ...(await live.settled(before, since)) };
    };

    const paused = await command(`pause ${live.runId}`, 'slash-pause');
    expect(paused.answer.body).toMatchObject({ response_type: 'ephemeral', text: `Run ${live.runId} is paused now.` });
    expect(paused.run.status).toBe('paused');
    expect(live.labels()).toEqual(['Resume', 'Cancel']);

    const cancelled = await command(`cancel ${live.runId}`, 'slash-cancel');
    expect(cancelled.answer.body).toMatchObject({ response_type: 'ephemeral', text: `Run ${live.runId} is cancelled now.` });
    expect(cancelled.run.status).toBe('cancelled');
    expect(live.buttons()).toEqual([]);
    expect(live.text()).toContain('🚫 *Cancelled* after');
    expect(cancelled.audit.slice(-2).map((e) => [e.command, e.actor.id, e.source, e.from_status, e.to_status])).toEqual([
      ['pause', 'U0BOB', `slack:${DEFAULT_CHANNEL.id}`, 'running', 'paused'],
      ['cancel', 'U0BOB', `slack:${DEFAULT_CHANNEL.id}`, 'paused', 'cancelled'],
    ]);
  });
});

describe('a stale button', () => {
  it("changes nothing when the first step's Done is clicked again after the run moved on, says it is stale, and re-renders the message", async () => {
    const { fake, publish } = rig();
    await publish({ name: 'Failover database', steps: [{ label: 'Promote replica' }, { label: 'Repoint apps' }] });
    const live = await startRun(rig, 'Failover database');
    const firstDone = live.button('Done');
    const oldBlocks = live.message().blocks;
    await live.clickOk('Done');

    // The clicker's client still shows the first step (say an update was lost on the way).
    live.message().blocks = oldBlocks;
    const { answer, before, after, click } = await live.clickRefused('Done', { button: firstDone });
    expect(String(answer.body.text)).toMatch(/^stale command: step \S+ is no longer the current step \(now "Repoint apps"\)$/);
    expect(after).toEqual(before);
    expect(stepOf(after.run, 'Repoint apps').state.status).toBe('active');
    expect(updatesOf(rig, live.ts, click.since)).toHaveLength(1);
    expect(live.text()).toContain('Step 2/2 · Repoint apps*');
    await expectRenderedFromStore(live);
    expect(fake.threadReplies(live.channel, live.ts)).toHaveLength(1);
  });
});

describe('a human step with timeout_seconds', () => {
  it('posts one reminder in the thread at half time, then the step fails with a timeout and the message says so', async () => {
    const { publish } = rig();
    await publish({ name: 'Quick review', steps: [{ label: 'Review the diff', timeout_seconds: 2 }, { label: 'Merge' }] });
    const live = await startRun(rig, 'Quick review');
    const reminder = await waitForThread(live, (headings) => headings.some((h) => h.includes('Half the time for')));
    const started = await rig().app.service.get(live.runId);
    const dueSeconds = Math.floor(started.timers.find((t) => t.kind === 'step_timeout')!.due_at / 1000);
    expect(reminder.filter((h) => h.includes('Half the time for'))).toEqual([
      expect.stringMatching(new RegExp(`^⏰ Half the time for \\*Step 1 · Review the diff\\* is gone: it times out <!date\\^${dueSeconds}\\^[^>]+>, and then it fails\\.$`)),
    ]);
    await waitForThread(live, (headings) => headings.some((h) => h.includes('Review the diff') && !h.includes('Half the time')));
    const run = await rig().app.service.get(live.runId);
    expect(run).toMatchObject({ status: 'failed', error_message: 'step "Review the diff" failed: timed out after 2 s' });
    await rig().app.notifier?.idle();
    expect(textOf(live.message())).toContain('timed out after 2 s');
    expect(threadHeadings(live).filter((h) => h?.includes('Half the time for'))).toHaveLength(1);
  }, 15_000);
});

async function waitForThread(live: LiveRun, ok: (headings: string[]) => boolean): Promise<string[]> {
  const deadline = Date.now() + 8_000;
  for (;;) {
    const headings = threadHeadings(live).map((h) => h ?? '');
    if (ok(headings)) return headings;
    if (Date.now() > deadline) throw new Error(`thread never matched; it has ${JSON.stringify(headings)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

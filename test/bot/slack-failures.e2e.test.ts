// Slack failing under the bot: rate limits are waited out, refused updates never change the
// run (the next render shows the whole state again), a post Slack refuses still leaves the
// run started and tells the user how to get its message, and renders are coalesced.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { ActionId } from '../../src/bot/slack-ids.js';
import type { FakeSlackCall } from '../support/fake-slack.js';
import { useBotRig } from './support/bot-rig.js';
import { clickOn, renderedStep, runCount, startFromSlack, visibleText, waitForMessage } from './support/slack-ui.js';

const rig = useBotRig();

beforeAll(async () => {
  await rig().publish({ name: 'Three steps', steps: [{ label: 'Alpha' }, { label: 'Bravo' }, { label: 'Charlie' }] });
  await rig().publish({ name: 'Six steps', steps: ['One', 'Two', 'Three', 'Four', 'Five', 'Six'].map((label) => ({ label })) });
  await rig().publish({
    name: 'Retry loop',
    steps: [
      { label: 'Test', ref: 'tests', type: 'check', next_on_outcome: { pass: 'step:ship', fail: 'step:fix' } },
      { label: 'Fix', ref: 'fix', next_on_outcome: { done: 'step:tests' } },
      { label: 'Ship', ref: 'ship' },
    ],
  });
});

beforeEach(() => {
  rig().fake.reset();
});

const updatesSince = (since: number): FakeSlackCall[] => rig().fake.calls.slice(since).filter((c) => c.method === 'chat.update');

async function advances(runId: string): Promise<number> {
  return (await rig().app.service.audit(runId)).filter((e) => e.command === 'advance').length;
}

describe('Slack failing under the bot', () => {
  it('waits out a 429 on chat.update (Retry-After 1) and then shows the current state', async () => {
    const { fake } = rig();
    const live = await startFromSlack(rig(), 'start three-steps');
    const run = await rig().app.service.get(live.runId);
    await rig().app.notifier?.idle();

    const since = fake.calls.length;
    fake.fail('chat.update', { status: 429, retryAfterSeconds: 1 });
    await clickOn(rig(), live, ActionId.Done);
    const ok = await fake.waitForCall('chat.update', () => true, { since, timeoutMs: 10_000 });
    const limited = updatesSince(since).find((c) => c.status === 429);
    expect(limited).toBeDefined();
    // Retried only after Retry-After (a little slack for timer granularity).
    expect(ok.at - limited!.at).toBeGreaterThanOrEqual(950);
    expect(ok.args.ts).toBe(live.ts);

    await rig().app.notifier?.idle();
    const message = fake.message(live.channel, live.ts);
    expect(renderedStep(message)).toBe(run.steps[1]!.step_id);
    expect(visibleText(message)).toContain('Step 2/3 · Bravo');
    expect(fake.threadReplies(live.channel, live.ts)).toHaveLength(1);
    expect(await advances(live.runId)).toBe(1);
  });

  it('leaves the run as the click made it when chat.update fails, and the next click’s render catches the message and thread up', async () => {
    const { fake } = rig();
    const live = await startFromSlack(rig(), 'start three-steps');
    const run = await rig().app.service.get(live.runId);
    const [alpha, bravo] = run.steps.map((s) => s.step_id);
    await rig().app.notifier?.idle();

    const since = fake.calls.length;
    fake.fail('chat.update', { error: 'internal_error' });
    const first = await clickOn(rig(), live, ActionId.Done);
    expect(first.status).toBe(200);
    await fake.waitForCall('chat.update', () => true, { since, includeFailed: true });
    await rig().app.notifier?.idle();

    // The click applied once; the failed render changed nothing in the run.
    const after = await rig().app.service.get(live.runId);
    expect(after.current_step_id).toBe(bravo);
    expect(after.steps.find((s) => s.step_id === alpha)?.status).toBe('completed');
    expect(await advances(live.runId)).toBe(1);
    // Slack still shows the old state, and the thread has not heard of step 1.
    expect(renderedStep(fake.message(live.channel, live.ts))).toBe(alpha);
    expect(fake.threadReplies(live.channel, live.ts)).toHaveLength(0);
    expect(updatesSince(since).map((c) => c.result?.error)).toEqual(['internal_error']);

    // The user, seeing nothing happen, presses Done again on the stale message.
    const again = await clickOn(rig(), live, ActionId.Done, { responseUrl: fake.responseUrl('again') });
    expect(again.status).toBe(200);
    await waitForMessage(fake, live, (m) => renderedStep(m) === bravo);
    await fake.waitFor(() => fake.threadReplies(live.channel, live.ts).length === 1);
    await rig().app.notifier?.idle();
    // It was aimed at a step already done: the run did not move a second time.
    const now = await rig().app.service.get(live.runId);
    expect(now.current_step_id).toBe(bravo);
    expect(await advances(live.runId)).toBe(1);
    // The whole state is shown: the current step, the history and step 1's reply, once.
    const message = fake.message(live.channel, live.ts);
    expect(visibleText(message)).toContain('Step 2/3 · Bravo');
    expect(visibleText(message)).toContain('1. Alpha');
    expect(fake.threadReplies(live.channel, live.ts).map((m) => m.text)).toEqual([expect.stringContaining('Alpha')]);
    // And the clicker alone hears why nothing more happened.
    const told = (await fake.waitForResponse('again')).body;
    expect(told.response_type).toBe('ephemeral');
    expect(visibleText(told)).toContain('no longer the current step');
  });

  it('shows the whole state on the next click that moves the run after a failed update', async () => {
    const { fake } = rig();
    const live = await startFromSlack(rig(), 'start three-steps');
    const run = await rig().app.service.get(live.runId);
    const [alpha, bravo, charlie] = run.steps.map((s) => s.step_id);
    await rig().app.notifier?.idle();

    fake.fail('chat.update', { error: 'internal_error' });
    await clickOn(rig(), live, ActionId.Done);
    await fake.waitForCall('chat.update', () => true, { includeFailed: true });
    await rig().app.notifier?.idle();
    expect(renderedStep(fake.message(live.channel, live.ts))).toBe(alpha);

    // Meanwhile someone finishes step 2 elsewhere (another message, the API): one render shows it all.
    await rig().app.service.apply(live.runId, { type: 'advance', actor: { kind: 'cli', id: 'ops' }, step_id: bravo });
    await waitForMessage(fake, live, (m) => renderedStep(m) === charlie);
    await rig().app.notifier?.idle();
    expect(fake.threadReplies(live.channel, live.ts).map((m) => m.text)).toEqual([
      expect.stringContaining('Alpha'),
      expect.stringContaining('Bravo'),
    ]);
  });

  it('starts the run when chat.postMessage answers not_in_channel and tells the user to invite the bot and resume', async () => {
    const { fake } = rig();
    const before = await runCount(rig());
    fake.fail('chat.postMessage', { error: 'not_in_channel' });
    const reply = await rig().slack.command({ text: 'start three-steps', channel_id: 'C0PRIVATE', response_url: fake.responseUrl('start') });
    expect(reply.status).toBe(200);
    const notice = (await fake.waitForResponse('start')).body;
    expect(notice.response_type).toBe('ephemeral');

    expect(await runCount(rig())).toBe(before + 1);
    const [run] = await rig().app.service.list({ limit: 1 });
    expect(run?.status).toBe('running');
    const text = visibleText(notice);
    expect(text).toContain(`Run ${run!.id} is under way`);
    expect(text).toContain('not_in_channel');
    expect(text).toContain('Invite me to this channel');
    expect(text).toContain(`/runbook resume ${run!.id}`);
    expect(fake.messages('C0PRIVATE')).toEqual([]);

    // Once invited, the resume the notice suggests posts the live message there.
    const since = fake.calls.length;
    await rig().slack.command({ text: `resume ${run!.id}`, channel_id: 'C0PRIVATE' });
    const posted = await fake.waitForCall('chat.postMessage', (a) => a.channel === 'C0PRIVATE', { since });
    expect(visibleText(fake.message('C0PRIVATE', posted.result?.ts as string))).toContain(run!.id);
  });

  it('coalesces renders: a run moved five steps while Slack is rate limiting costs fewer updates, and the message ends current', async () => {
    const { fake } = rig();
    const live = await startFromSlack(rig(), 'start six-steps');
    const run = await rig().app.service.get(live.runId);
    await rig().app.notifier?.idle();

    const since = fake.calls.length;
    fake.fail('chat.update', { status: 429, retryAfterSeconds: 1 });
    const transitions = 5;
    for (let i = 0; i < transitions; i += 1) {
      await rig().app.service.apply(live.runId, { type: 'advance', actor: { kind: 'slack', id: 'U0ALICE' }, key: `burst-${i}` });
    }
    await rig().app.notifier?.idle();

    const updates = updatesSince(since);
    expect(updates.length).toBeLessThan(transitions);
    expect(updates.filter((c) => c.status === 429)).toHaveLength(1);
    // The last update sent is the final state: step 6 current, five steps in the history.
    const last = updates.at(-1)!;
    expect(last.ok).toBe(true);
    const message = fake.message(live.channel, live.ts);
    expect(renderedStep(message)).toBe(run.steps[5]!.step_id);
    expect(visibleText(message)).toContain('Step 6/6 · Six');
    expect(visibleText(message)).toContain('5/6');
    // Every finished step still gets its reply, in order, once.
    expect(fake.threadReplies(live.channel, live.ts).map((m) => m.text)).toEqual(
      ['One', 'Two', 'Three', 'Four', 'Five'].map((label) => expect.stringContaining(label)),
    );
  });

  it('keeps a reply for every visit of a step finished twice while Slack was failing', async () => {
    const { fake, app } = rig();
    const live = await startFromSlack(rig(), 'start retry-loop');
    await app.notifier?.idle();
    // Slack refuses every render while Test fails, Fix is done and Test fails again (however
    // the renders are coalesced, and whenever the start's own render lands).
    fake.fail('chat.update', { error: 'internal_error', times: 1_000 });
    const actor = { kind: 'slack' as const, id: 'U0ALICE' };
    await app.service.apply(live.runId, { type: 'advance', outcome: 'fail', actor });
    await app.service.apply(live.runId, { type: 'advance', actor });
    await app.service.apply(live.runId, { type: 'advance', outcome: 'fail', actor });
    await app.notifier?.idle();
    expect(fake.threadReplies(live.channel, live.ts)).toHaveLength(0);

    // The next render that gets through tells the whole story, both Test visits included.
    fake.clearFailures('chat.update');
    await app.service.apply(live.runId, { type: 'advance', actor });
    await app.notifier?.idle();
    const replies = fake.threadReplies(live.channel, live.ts).map((m) => m.text ?? '');
    expect(replies).toHaveLength(4);
    expect(replies.map((t) => /Test|Fix/.exec(t)?.[0])).toEqual(['Test', 'Fix', 'Test', 'Fix']);
    const outcomes = fake.threadReplies(live.channel, live.ts).map((m) => /outcome[^a-z]*(fail|done)/i.exec(JSON.stringify(m.blocks))?.[1]);
    expect(outcomes).toEqual(['fail', 'done', 'fail', 'done']);
  });
});

// The bot process stopped and started again in the middle of a run: the message already in
// Slack keeps working (its buttons carry everything a click needs, and the live message is
// found again in MongoDB), and a wait due while the bot was down still fires.
import { describe, expect, it } from 'vitest';

import { ActionId } from '../../src/bot/slack-ids.js';
import { useBotRig } from './support/bot-rig.js';
import { clickOn, renderedStep, settle, startFromSlack, visibleText, waitForMessage } from './support/slack-ui.js';

const rig = useBotRig();

describe('a restart in the middle of a run', () => {
  it('keeps the old message’s buttons working: the click advances the run and updates the same message', async () => {
    const { fake } = rig();
    await rig().publish({ name: 'Across restarts', steps: [{ label: 'Before' }, { label: 'Across' }, { label: 'After' }] });
    const live = await startFromSlack(rig(), 'start across-restarts');
    const run = await rig().app.service.get(live.runId);
    const [first, second, third] = run.steps.map((s) => s.step_id);

    await clickOn(rig(), live, ActionId.Done);
    await waitForMessage(fake, live, (m) => renderedStep(m) === second);
    const portBefore = rig().app.port;

    await rig().restart();
    expect(rig().app.port).not.toBe(portBefore);

    // The message the user still has, with the buttons rendered before the restart.
    const since = fake.calls.length;
    const reply = await clickOn(rig(), live, ActionId.Done);
    expect(reply.status).toBe(200);
    await waitForMessage(fake, live, (m) => renderedStep(m) === third);
    await rig().app.notifier?.idle();
    const after = await rig().app.service.get(live.runId);
    expect(after.current_step_id).toBe(third);
    expect(after.steps.find((s) => s.step_id === second)?.status).toBe('completed');
    // Updated in place: same channel and ts, and no new top-level message.
    const chat = fake.calls.slice(since).filter((c) => c.method.startsWith('chat.'));
    expect(chat.filter((c) => c.method === 'chat.update').every((c) => c.args.channel === live.channel && c.args.ts === live.ts)).toBe(true);
    expect(chat.filter((c) => c.method === 'chat.postMessage').every((c) => c.args.thread_ts === live.ts)).toBe(true);
    expect(fake.threadReplies(live.channel, live.ts)).toHaveLength(2);
    expect(after.steps.find((s) => s.step_id === first)?.status).toBe('completed');

    // And it finishes.
    await clickOn(rig(), live, ActionId.Done);
    await waitForMessage(fake, live, (m) => visibleText(m).includes('Completed'));
    expect((await rig().app.service.get(live.runId)).status).toBe('completed');
  });

  it('still fires a 2-second wait the bot restarted in the middle of, and the run continues on the same message', async () => {
    const { fake } = rig();
    await rig().publish({
      name: 'Wait across restart',
      steps: [{ label: 'Kick off' }, { label: 'Let it settle', type: 'wait', wait_seconds: 2 }, { label: 'Check' }],
    });
    const live = await startFromSlack(rig(), 'start wait-across-restart');
    const run = await rig().app.service.get(live.runId);
    const [, wait, check] = run.steps.map((s) => s.step_id);

    await clickOn(rig(), live, ActionId.Done);
    await waitForMessage(fake, live, (m) => visibleText(m).includes('Waiting until'));
    const waiting = await rig().app.service.get(live.runId);
    expect(waiting.current_step_id).toBe(wait);
    expect(waiting.wait).not.toBeNull();
    const dueAt = waiting.wait!.due_at;

    await rig().restart();
    // The restart itself is quick: the wait is still ahead of us.
    expect(Date.now()).toBeLessThan(dueAt);

    const fired = await waitForMessage(fake, live, (m) => renderedStep(m) === check, 10_000);
    expect(Date.now()).toBeGreaterThanOrEqual(dueAt);
    expect(visibleText(fired)).not.toContain('Waiting until');
    await rig().app.notifier?.idle();
    const after = await rig().app.service.get(live.runId);
    expect(after.status).toBe('running');
    expect(after.current_step_id).toBe(check);
    expect(after.wait).toBeNull();
    // Fired once, and told in the same thread.
    const elapsed = (await rig().app.service.audit(live.runId)).filter((e) => e.command === 'wait_elapsed');
    expect(elapsed).toHaveLength(1);
    expect(fake.threadReplies(live.channel, live.ts).map((m) => m.text)).toEqual([
      expect.stringContaining('Kick off'),
      expect.stringContaining('Let it settle'),
    ]);
  });

  it('fires a wait that fell due while the bot was down as soon as it is back', async () => {
    const { fake } = rig();
    await rig().publish({ name: 'Wait while down', steps: [{ label: 'Go' }, { label: 'Pause a bit', type: 'wait', wait_seconds: 1 }, { label: 'Resume work' }] });
    const live = await startFromSlack(rig(), 'start wait-while-down');
    const run = await rig().app.service.get(live.runId);
    await clickOn(rig(), live, ActionId.Done);
    await waitForMessage(fake, live, (m) => visibleText(m).includes('Waiting until'));
    const dueAt = (await rig().app.service.get(live.runId)).wait!.due_at;

    await rig().app.stop();
    await settle(Math.max(0, dueAt - Date.now()) + 500);
    // Nothing moved while the bot was down.
    expect(visibleText(fake.message(live.channel, live.ts))).toContain('Waiting until');
    await rig().restart();

    await waitForMessage(fake, live, (m) => renderedStep(m) === run.steps[2]!.step_id, 10_000);
    const after = await rig().app.service.get(live.runId);
    expect(after.current_step_id).toBe(run.steps[2]!.step_id);
    expect((await rig().app.service.audit(live.runId)).filter((e) => e.command === 'wait_elapsed')).toHaveLength(1);
  });
});

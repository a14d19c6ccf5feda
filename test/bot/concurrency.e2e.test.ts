// Clicks that arrive together through the real Bolt app: Slack's redeliveries of one click
// (same action_ts, the idempotency key) change the run once, and two people pressing the
// same button at once move the run once, the slower one being told the step moved on.
import { describe, expect, it } from 'vitest';

import { useBotRig } from './support/bot-rig.js';
import { startRun, updatesOf, type Click, type LiveRun } from './support/run-message.js';

const rig = useBotRig();

let tsSeq = 0;
/** A Slack action_ts of our own, unique in this file. */
const actionTs = () => `${Math.floor(Date.now() / 1000)}.${String(++tsSeq).padStart(6, '0')}`;

/**
 * A click sent after `clicks` were acknowledged, which the bot must refuse: commands for a
 * run are applied one at a time in arrival order, so once its refusal is answered, every
 * earlier click has been applied or refused too.
 */
async function barrier(live: LiveRun, label: string, button = live.button(label)): Promise<string> {
  const sent = await live.click(label, { button, actionTs: actionTs() });
  const answer = await rig().fake.waitForResponse(sent.responseId);
  await rig().app.notifier?.idle();
  return String(answer.body.text);
}

const answered = (clicks: Click[]) => clicks.filter((c) => rig().fake.responses(c.responseId).length > 0);

describe('concurrent clicks', () => {
  it('applies ten simultaneous deliveries of one Done click (same action_ts) once and answers none of them', async () => {
    const { fake, publish } = rig();
    await publish({ name: 'Purge CDN', steps: [{ label: 'Purge' }, { label: 'Warm cache' }, { label: 'Check hit rate' }] });
    const live = await startRun(rig, 'Purge CDN');
    const before = await live.snapshot();
    const done = live.button('Done');
    const ts = actionTs();
    const since = fake.calls.length;

    const clicks = await Promise.all(Array.from({ length: 10 }, () => live.click('Done', { button: done, actionTs: ts })));
    expect(await barrier(live, 'Done', done)).toMatch(/^stale command: step \S+ is no longer the current step \(now "Warm cache"\)$/);

    const after = await live.snapshot();
    expect(after.audit.slice(0, before.audit.length)).toEqual(before.audit);
    expect(after.audit.slice(before.audit.length)).toEqual([expect.objectContaining({ command: 'advance', key: `slack:${ts}`, step_id: done.decoded.s, visit: 1 })]);
    expect(after.run.audit_seq).toBe(before.run.audit_seq + 1);
    expect(after.run.steps.map((s) => [s.status, s.visits])).toEqual([
      ['completed', 1],
      ['active', 1],
      ['pending', 0],
    ]);
    expect(answered(clicks)).toEqual([]);
    // One render for the advance, one re-render for the barrier's refusal; a refused duplicate would add its own.
    expect(updatesOf(rig, live.ts, since)).toHaveLength(2);
    expect(fake.threadReplies(live.channel, live.ts)).toHaveLength(1);
  });

  it('applies ten simultaneous deliveries of one Pause click once, where a second pause would be refused', async () => {
    const { publish } = rig();
    await publish({ name: 'Freeze deploys', steps: [{ label: 'Announce' }, { label: 'Lock pipeline' }] });
    const live = await startRun(rig, 'Freeze deploys');
    const before = await live.snapshot();
    const pause = live.button('Pause');
    const ts = actionTs();

    const clicks = await Promise.all(Array.from({ length: 10 }, () => live.click('Pause', { button: pause, actionTs: ts })));
    expect(await barrier(live, 'Pause', pause)).toBe(`cannot pause: run ${live.runId} is paused`);

    const after = await live.snapshot();
    expect(after.run.status).toBe('paused');
    expect(after.audit.slice(before.audit.length).map((e) => [e.command, e.key])).toEqual([['pause', `slack:${ts}`]]);
    expect(answered(clicks)).toEqual([]);
    expect(live.labels()).toEqual(['Resume', 'Cancel']);
  });

  it('advances once when two people click Done at the same moment, and tells the other one the step moved on', async () => {
    const { fake, publish } = rig();
    await publish({ name: 'Rotate logs', steps: [{ label: 'Compress' }, { label: 'Ship to archive' }] });
    const live = await startRun(rig, 'Rotate logs');
    const before = await live.snapshot();
    const done = live.button('Done');

    const [alice, bob] = await Promise.all([
      live.click('Done', { button: done, user: 'U0ALICE', actionTs: actionTs() }),
      live.click('Done', { button: done, user: 'U0BOB', actionTs: actionTs() }),
    ]);
    await fake.waitFor(() => answered([alice!, bob!]).length > 0);
    await rig().app.notifier?.idle();

    const after = await live.snapshot();
    const added = after.audit.slice(before.audit.length);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ command: 'advance', step_id: done.decoded.s, visit: done.decoded.v });
    const winner = added[0]!.actor.id;
    expect(['U0ALICE', 'U0BOB']).toContain(winner);
    const loser = winner === 'U0ALICE' ? bob! : alice!;
    expect(answered([alice!, bob!])).toEqual([loser]);
    expect(fake.responses(loser.responseId)[0]!.body).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringMatching(/^stale command: step \S+ is no longer the current step \(now "Ship to archive"\)$/),
    });
    expect(after.run.steps.map((s) => [s.status, s.actor?.id ?? null])).toEqual([
      ['completed', winner],
      ['active', null],
    ]);
    expect(live.text()).toContain('Step 2/2 · Ship to archive*');
  });
});

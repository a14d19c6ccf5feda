// Requests Slack did not sign (or signed too long ago) are refused before any listener runs,
// and text users type can never ping or link: every message the bot posts or updates shows
// it escaped.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { ActionId, BlockId, INPUT_ACTION_ID, ViewId } from '../../src/bot/slack-ids.js';
import type { FakeSlackCall } from '../support/fake-slack.js';
import { blockActionPayload, DEFAULT_CHANNEL, plainTextInputValues, viewSubmissionPayload } from '../support/slack-requests.js';
import { useBotRig } from './support/bot-rig.js';
import { button, clickOn, renderedStep, runCount, settle, startFromSlack, visibleText, waitForMessage, type LiveMessage } from './support/slack-ui.js';

const rig = useBotRig();

const THREE_STEPS = { name: 'Guarded', steps: [{ label: 'One' }, { label: 'Two' }, { label: 'Three' }] };

beforeAll(async () => {
  await rig().publish(THREE_STEPS);
});

beforeEach(() => {
  rig().fake.reset();
});

/** The Done click on `live` as a payload, so the same click can be sent signed or not. */
function doneClick(live: LiveMessage) {
  const message = rig().fake.message(live.channel, live.ts);
  const done = button(message?.blocks, ActionId.Done);
  return blockActionPayload({ channel: live.channel, messageTs: live.ts, actionId: ActionId.Done, value: done.value!, message: { blocks: message?.blocks ?? [] } });
}

async function auditLength(runId: string): Promise<number> {
  return (await rig().app.service.audit(runId)).length;
}

describe('request signatures', () => {
  for (const [what, opts] of [
    ['a wrong signature', { wrongSignature: true }],
    ['a timestamp older than 5 minutes', { ageSeconds: 5 * 60 + 30 }],
  ] as const) {
    it(`refuses a click with ${what} (401) and the run does not move`, async () => {
      const { fake } = rig();
      const live = await startFromSlack(rig(), 'start guarded');
      await rig().app.notifier?.idle();
      const before = await rig().app.service.get(live.runId);
      const audit = await auditLength(live.runId);
      const since = fake.calls.length;
      const payload = doneClick(live);

      const refused = await rig().slack.action(payload, opts);
      expect(refused.status).toBe(401);
      await settle(300);
      await rig().app.notifier?.idle();
      const after = await rig().app.service.get(live.runId);
      expect(after.current_step_id).toBe(before.current_step_id);
      expect(after.audit_seq).toBe(before.audit_seq);
      expect(await auditLength(live.runId)).toBe(audit);
      expect(fake.calls.slice(since)).toEqual([]);

      // The same click, signed now, does move it: the refusal was the signature alone.
      const accepted = await rig().slack.action(payload);
      expect(accepted.status).toBe(200);
      await waitForMessage(fake, live, (m) => renderedStep(m) === before.steps[1]!.step_id);
    });

    it(`refuses a start command with ${what} (401) and starts nothing`, async () => {
      const { fake } = rig();
      const before = await runCount(rig());
      const refused = await rig().slack.command({ text: 'start guarded', response_url: fake.responseUrl('forged') }, opts);
      expect(refused.status).toBe(401);
      await settle(300);
      expect(await runCount(rig())).toBe(before);
      expect(fake.calls).toEqual([]);
      expect(fake.responses()).toEqual([]);
    });
  }

  it('refuses an inputs-modal submission with a wrong signature and starts nothing', async () => {
    const runbook = await rig().app.runbooks.find('guarded');
    const before = await runCount(rig());
    const payload = viewSubmissionPayload({
      callbackId: ViewId.StartInputs,
      privateMetadata: JSON.stringify({ runbook_id: runbook.id, channel_id: DEFAULT_CHANNEL.id, origin: 'command' }),
    });
    const refused = await rig().slack.viewSubmission(payload, { wrongSignature: true });
    expect(refused.status).toBe(401);
    await settle(300);
    expect(await runCount(rig())).toBe(before);
    expect(rig().fake.calls).toEqual([]);
  });
});

// What an attacker types, and how each must appear in mrkdwn: escaped, so Slack shows it
// literally and nobody is pinged or sent to a link.
const HOSTILE = {
  broadcast: { raw: '<!channel>', escaped: '&lt;!channel&gt;' },
  mention: { raw: '<@U0BOB>', escaped: '&lt;@U0BOB&gt;' },
  link: { raw: '<http://evil.example|click me>', escaped: '&lt;http://evil.example|click me&gt;' },
} as const;

/** Slack escapes &, < and > in slash command text before sending it. */
const slackEscaped = (typed: string) => typed.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Every chat.* call's text and blocks, as sent. */
function chatBodies(calls: readonly FakeSlackCall[]): string[] {
  return calls.filter((c) => c.method.startsWith('chat.')).map((c) => JSON.stringify({ text: c.args.text, blocks: c.args.blocks }));
}

describe('mrkdwn injection', () => {
  it('shows variables and fail notes escaped in every message, update and thread reply, and never raw', async () => {
    const { fake } = rig();
    await rig().publish({
      name: 'Injectable',
      variables: [{ name: 'broadcast' }, { name: 'mention' }, { name: 'link' }],
      steps: [
        { label: 'Look', instruction: 'Check {broadcast} then {mention} then {link}.' },
        { label: 'Break', instruction: 'Also {{link}}.' },
      ],
    });
    const typed = `start injectable broadcast=${HOSTILE.broadcast.raw} mention=${HOSTILE.mention.raw} link="${HOSTILE.link.raw}"`;
    const live = await startFromSlack(rig(), slackEscaped(typed));
    const run = await rig().app.service.get(live.runId);
    // Stored as typed: escaping is the view's job, not the store's.
    expect(run.variables).toEqual({ broadcast: HOSTILE.broadcast.raw, mention: HOSTILE.mention.raw, link: HOSTILE.link.raw });

    // Step 1 done: an update and a thread reply.
    await clickOn(rig(), live, ActionId.Done);
    await waitForMessage(fake, live, (m) => renderedStep(m) === run.steps[1]!.step_id);

    // Step 2 failed through the fail modal, with the same strings as the reason.
    const since = fake.calls.length;
    await clickOn(rig(), live, ActionId.Fail);
    const opened = await fake.waitForCall('views.open', () => true, { since });
    const modal = opened.result?.view as { id: string; private_metadata: string; blocks: unknown[] };
    const reason = `Broke: ${HOSTILE.broadcast.raw} ${HOSTILE.mention.raw} ${HOSTILE.link.raw} & more`;
    const submitted = await rig().slack.viewSubmission(
      viewSubmissionPayload({
        callbackId: ViewId.FailReason,
        viewId: modal.id,
        privateMetadata: modal.private_metadata,
        blocks: modal.blocks,
        values: plainTextInputValues({ [BlockId.FailReason]: reason }, INPUT_ACTION_ID),
      }),
    );
    expect(submitted.status).toBe(200);
    await fake.waitFor(() => fake.threadReplies(live.channel, live.ts).length === 2);
    await waitForMessage(fake, live, (m) => visibleText(m).includes('Failed'));
    await rig().app.notifier?.idle();
    expect((await rig().app.service.get(live.runId)).status).toBe('failed');

    // `/runbook status` shows the same run to the user alone.
    await rig().slack.command({ text: `status ${live.runId}`, response_url: fake.responseUrl('status') });
    const status = JSON.stringify((await fake.waitForResponse('status')).body);

    const bodies = chatBodies(fake.calls);
    expect(fake.callsTo('chat.postMessage').length).toBeGreaterThanOrEqual(3); // the message and two replies
    expect(fake.callsTo('chat.update').length).toBeGreaterThanOrEqual(2);
    for (const body of [...bodies, status]) {
      for (const { raw } of Object.values(HOSTILE)) expect(body).not.toContain(raw);
      expect(body).not.toContain('<http://evil.example');
      expect(body).not.toMatch(/<!(channel|here|everyone)/);
    }

    // And they are there, escaped, wherever they are shown.
    const message = JSON.stringify(fake.message(live.channel, live.ts)?.blocks);
    const [doneReply, failReply] = fake.threadReplies(live.channel, live.ts).map((m) => JSON.stringify(m.blocks));
    for (const { escaped } of Object.values(HOSTILE)) {
      expect(message).toContain(escaped); // variables section
      expect(failReply).toContain(escaped); // the reason in the step's reply
      expect(status).toContain(escaped);
    }
    expect(failReply).toContain('&amp; more');
    // The live message shows the reason (the run's error) and the second instruction escaped too.
    const escapedReason = `Broke: ${HOSTILE.broadcast.escaped} ${HOSTILE.mention.escaped} ${HOSTILE.link.escaped} &amp; more`;
    expect(message).toContain(escapedReason);
    expect(failReply).toContain(escapedReason);
    expect(message).toContain(`Also ${HOSTILE.link.escaped}.`);
    expect(doneReply).toBeDefined();
    // The first step's instruction, placeholders resolved, went out escaped when it was current.
    const firstRender = fake.callsTo('chat.postMessage').find((c) => c.args.thread_ts === undefined);
    expect(JSON.stringify(firstRender?.args.blocks)).toContain(`Check ${HOSTILE.broadcast.escaped} then ${HOSTILE.mention.escaped} then ${HOSTILE.link.escaped}.`);
  });
});

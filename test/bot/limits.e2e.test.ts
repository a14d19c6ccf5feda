// The largest runbook a definition allows (100 steps, 5,000-character instructions, 20
// variables at their longest, text full of characters mrkdwn escaping multiplies), started
// and driven to the end through Slack: every message, update, reply and view the bot sends
// stays within Block Kit's limits, so Slack never refuses one.
import { describe, expect, it } from 'vitest';

import { ActionId } from '../../src/bot/slack-ids.js';
import { outcomeActionId } from '../../src/bot/views/run-message.js';
import type { HomeView, ModalView, SlackMessage } from '../../src/bot/views/types.js';
import { LIMITS } from '../../src/engine/definition/schema.js';
import { appHomeOpenedEvent, DEFAULT_CHANNEL } from '../support/slack-requests.js';
import { useBotRig } from './support/bot-rig.js';
import { messageLimitProblems, viewLimitProblems } from './views/support/block-limits.js';
import { clickOn, renderedStep, runIdIn, submitInputs, visibleText, waitForMessage } from './support/slack-ui.js';

const rig = useBotRig();

/** `text` repeated and cut to exactly `length` characters. */
const fill = (text: string, length: number) => text.repeat(Math.ceil(length / text.length)).slice(0, length);

const VARIABLES = Array.from({ length: LIMITS.variables }, (_, i) => ({
  name: fill(`v${String(i).padStart(2, '0')}_`, LIMITS.variableName).replace(/[^A-Za-z0-9_]/g, '_'),
  description: fill(`Value <${i}> & more `, LIMITS.variableDescription),
  required: true,
}));

// Every few characters one that escaping turns into four or five.
const INSTRUCTION_BODY = fill('Run `make <target>` & check *everything* > twice. ', LIMITS.instruction - 200);

function stepDef(i: number): Record<string, unknown> {
  // Placeholders push the resolved instruction far past 5,000 characters.
  const placeholders = VARIABLES.slice(0, 5).map((v) => `{${v.name}}`).join(' ');
  const instruction = `${placeholders} ${INSTRUCTION_BODY}`.slice(0, LIMITS.instruction);
  const label = fill(`Step ${i} <b>&amp; `, LIMITS.label);
  if (i % 10 === 3) return { label, instruction, type: 'check' };
  if (i % 10 === 7) return { label, instruction, required: false };
  return { label, instruction };
}

const RUNBOOK = {
  name: fill('Huge & <loud> runbook ', LIMITS.name),
  description: fill('A description <with> & symbols. ', LIMITS.description),
  variables: VARIABLES,
  steps: Array.from({ length: LIMITS.steps }, (_, i) => stepDef(i)),
};

describe('Slack limits on the largest runbook', () => {
  it('keeps every message, update, thread reply and view within Block Kit limits from start to finish', { timeout: 180_000 }, async () => {
    const { fake } = rig();
    await rig().publish(RUNBOOK);
    const slug = (await rig().app.runbooks.find(RUNBOOK.name)).slug;

    // Started from the slash command without variables: the inputs modal asks for all 20.
    await rig().slack.command({ text: `start ${slug}` });
    const opened = await fake.waitForCall('views.open');
    const modal = opened.result?.view as { id: string; private_metadata: string; blocks: unknown[] };
    const values = Object.fromEntries(VARIABLES.map((v, i) => [`var:${v.name}`, fill(`<@U0BOB> & ${i} `, 1000)]));
    const submitted = await submitInputs(rig(), modal, values);
    expect(submitted.status).toBe(200);
    expect(submitted.body).toBe('');
    const posted = await fake.waitForCall('chat.postMessage', (a) => a.thread_ts === undefined);
    const live = { channel: DEFAULT_CHANNEL.id, ts: posted.result?.ts as string };
    const runId = runIdIn(fake.message(live.channel, live.ts));
    const run = await rig().app.service.get(runId);
    expect(run.steps).toHaveLength(LIMITS.steps);

    // Every step finished from the message: Done, an outcome on checks, Skip on optional steps.
    for (let i = 0; i < LIMITS.steps; i += 1) {
      const def = run.runbook.steps[i]!;
      const action = def.type === 'check' ? outcomeActionId('pass') : def.required ? ActionId.Done : ActionId.Skip;
      await waitForMessage(fake, live, (m) => renderedStep(m) === def.id);
      const reply = await clickOn(rig(), live, action);
      expect(reply.status).toBe(200);
    }
    await waitForMessage(fake, live, (m) => visibleText(m).includes('Completed'), 10_000);
    await rig().app.notifier?.idle();
    expect((await rig().app.service.get(runId)).status).toBe('completed');

    // The status answer and App Home, for the views and ephemeral bodies.
    await rig().slack.command({ text: `status ${runId}`, response_url: fake.responseUrl('status') });
    await fake.waitForResponse('status');
    await rig().slack.event(appHomeOpenedEvent());
    await fake.waitForCall('views.publish');

    // No Slack call was refused, and every body is within the limits.
    expect(fake.calls.filter((c) => !c.ok)).toEqual([]);
    const messages = fake.calls.filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.update');
    expect(messages.filter((c) => c.method === 'chat.update').length).toBeGreaterThanOrEqual(LIMITS.steps / 2);
    // One reply per finished step, plus the full text of every instruction the message had to cut.
    expect(fake.threadReplies(live.channel, live.ts).length).toBeGreaterThanOrEqual(LIMITS.steps);
    const problems = messages.flatMap((c, i) =>
      messageLimitProblems({ text: c.args.text as string, blocks: c.args.blocks as SlackMessage['blocks'] }).map((p) => `${c.method} #${i}: ${p}`),
    );
    expect(problems).toEqual([]);
    const responseProblems = fake.responses().flatMap((r) =>
      messageLimitProblems({ text: r.body.text as string, blocks: r.body.blocks as SlackMessage['blocks'] }).map((p) => `response ${r.id}: ${p}`),
    );
    expect(responseProblems).toEqual([]);

    const views = fake.calls.filter((c) => c.method.startsWith('views.'));
    expect(views.map((c) => c.method).sort()).toEqual(['views.open', 'views.publish']);
    const viewProblems = views.flatMap((c) => viewLimitProblems(c.args.view as ModalView | HomeView).map((p) => `${c.method}: ${p}`));
    expect(viewProblems).toEqual([]);
  });
});

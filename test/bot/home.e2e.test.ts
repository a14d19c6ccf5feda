// App Home: opening it publishes what the user can start (each with a Start button), their
// runs in flight with links to the live messages, and recent runs. Start opens the inputs
// modal; submitting it starts the run in the user's DM with the app and refreshes Home.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { ActionId, ViewId } from '../../src/bot/slack-ids.js';
import { decodeStartRunbookValue } from '../../src/bot/views/home.js';
import type { FakeView } from '../support/fake-slack.js';
import { appHomeOpenedEvent, blockActionPayload, DEFAULT_USER } from '../support/slack-requests.js';
import { useBotRig } from './support/bot-rig.js';
import { blockTexts, buttons, clickOn, runIdIn, saveDraft, settle, startFromSlack, submitInputs, visibleText, type SlackButton } from './support/slack-ui.js';

const rig = useBotRig();
const ALICE = DEFAULT_USER.id;

/** A button clicked on the user's Home tab, as Slack sends it (a view container, no message). */
function homeClick(home: FakeView, b: SlackButton, user = ALICE) {
  const base = blockActionPayload({ user, messageTs: '0', actionId: b.action_id, ...(b.value !== undefined && { value: b.value }), text: b.text.text });
  const { message: _message, channel: _channel, response_url: _responseUrl, ...rest } = base;
  return { ...rest, container: { type: 'view', view_id: home.id }, view: home.view };
}

async function openHome(user = ALICE): Promise<FakeView> {
  const { fake, slack } = rig();
  const since = fake.calls.length;
  const reply = await slack.event(appHomeOpenedEvent({ user }));
  expect(reply.status).toBe(200);
  await fake.waitForCall('views.publish', (a) => a.user_id === user, { since });
  return fake.homeView(user)!;
}

/** The Home's sections under each header, as text. */
function homeSections(home: FakeView): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let current = '';
  for (const block of home.view.blocks as Array<{ type: string; text?: { text: string } }>) {
    if (block.type === 'header') current = block.text?.text ?? '';
    else if (block.type === 'section' || block.type === 'context') (out[current] ??= []).push(blockTexts([block]).join('\n'));
  }
  return out;
}

beforeAll(async () => {
  await rig().publish({
    name: 'Restart cache',
    description: 'Flush and warm the cache.',
    variables: [{ name: 'cluster', description: 'Which cache cluster', required: true }, { name: 'mode', default: 'rolling' }],
    steps: [{ label: 'Flush', instruction: 'Flush {cluster} ({mode}).' }, { label: 'Warm' }],
  });
  await rig().publish({ name: 'Rotate certs', steps: [{ label: 'Rotate' }, { label: 'Check' }] });
  await saveDraft(rig(), { name: 'Unfinished idea', steps: [{ label: 'Think' }] });
});

beforeEach(() => {
  rig().fake.reset();
});

describe('App Home', () => {
  it('publishes the published runbooks with a Start button each, the user’s active runs with links and recent runs', async () => {
    const { fake } = rig();
    // Alice has one run in flight and one finished; Bob has one in flight.
    const mine = await startFromSlack(rig(), 'start rotate-certs');
    const done = await startFromSlack(rig(), 'start rotate-certs');
    await clickOn(rig(), done, ActionId.Done);
    await fake.waitFor(() => visibleText(fake.message(done.channel, done.ts)).includes('Step 2/2'));
    await clickOn(rig(), done, ActionId.Done);
    await fake.waitFor(() => visibleText(fake.message(done.channel, done.ts)).includes('Completed'));
    const bobs = await startFromSlack(rig(), 'start rotate-certs', { user: 'U0BOB' });
    await rig().app.notifier?.idle();

    const home = await openHome();
    expect(home.view.type).toBe('home');
    const sections = homeSections(home);

    // Published runbooks, each with its own Start; the draft is not offered.
    const starts = buttons(home.view.blocks as unknown[]).filter((b) => b.action_id === ActionId.StartRunbook);
    const startable = await Promise.all(starts.map(async (b) => (await rig().app.runbooks.get(decodeStartRunbookValue(b.value!).rb)).name));
    expect(startable.sort()).toEqual(['Restart cache', 'Rotate certs']);
    expect(sections.Runbooks?.join('\n')).toContain('Flush and warm the cache.');
    expect(JSON.stringify(home.view.blocks)).not.toContain('Unfinished idea');

    // Active runs: Alice's only, linked to its live message.
    const active = sections['Your active runs'] ?? [];
    expect(active).toHaveLength(1);
    expect(active[0]).toContain(mine.runId);
    expect(active[0]).toContain(`<https://fake.slack/archives/${mine.channel}/p${mine.ts.replace('.', '')}|Open>`);
    const permalinks = fake.callsTo('chat.getPermalink');
    expect(permalinks.map((c) => [c.args.channel, c.args.message_ts])).toEqual([[mine.channel, mine.ts]]);

    // Recent runs: everyone's, finished ones included.
    const recent = (sections['Recent runs'] ?? []).join('\n');
    for (const run of [mine, done, bobs]) expect(recent).toContain(run.runId);
    expect(recent).toContain('Completed');
  });

  it('publishes nothing when the Messages tab is opened', async () => {
    const { fake, slack } = rig();
    const event = appHomeOpenedEvent();
    const reply = await slack.event({ ...event, event: { ...event.event, tab: 'messages' } });
    expect(reply.status).toBe(200);
    await settle(300);
    expect(fake.callsTo('views.publish')).toEqual([]);
  });

  it('opens the inputs modal from Start; submitting it starts the run in the user’s DM and republishes Home', async () => {
    const { fake } = rig();
    const home = await openHome();
    const start = buttons(home.view.blocks as unknown[]).filter((b) => b.action_id === ActionId.StartRunbook);
    const names = await Promise.all(start.map(async (b) => (await rig().app.runbooks.get(decodeStartRunbookValue(b.value!).rb)).name));
    const restart = start[names.indexOf('Restart cache')]!;

    const payload = homeClick(home, restart);
    const since = fake.calls.length;
    const clicked = await rig().slack.action(payload);
    expect(clicked.status).toBe(200);
    const opened = await fake.waitForCall('views.open', () => true, { since });
    expect(opened.args.trigger_id).toBe(payload.trigger_id);
    const modal = opened.result?.view as { id: string; callback_id: string; private_metadata: string; blocks: Array<{ type: string; block_id?: string; hint?: { text: string } }> };
    expect(modal.callback_id).toBe(ViewId.StartInputs);
    expect(modal.blocks.filter((b) => b.type === 'input').map((b) => b.block_id)).toEqual(['var:cluster', 'var:mode']);
    expect(JSON.parse(modal.private_metadata)).toMatchObject({ channel_id: null, origin: 'home' });

    const submitSince = fake.calls.length;
    const submitted = await submitInputs(rig(), modal, { 'var:cluster': 'cache-eu-1', 'var:mode': 'rolling' });
    expect(submitted.status).toBe(200);
    expect(submitted.body).toBe('');

    // Posted to the user's DM with the app: the channel is the user id.
    const posted = await fake.waitForCall('chat.postMessage', (a) => a.thread_ts === undefined, { since: submitSince });
    expect(posted.args.channel).toBe(ALICE);
    const message = fake.message(ALICE, posted.result?.ts as string);
    const runId = runIdIn(message);
    expect(visibleText(message)).toContain('Flush cache-eu-1 (rolling).');
    const run = await rig().app.service.get(runId);
    expect(run.variables).toEqual({ cluster: 'cache-eu-1', mode: 'rolling' });

    // Home is published again, now showing the new run among Alice's active ones, linked.
    const republished = await fake.waitForCall('views.publish', (a) => a.user_id === ALICE, { since: submitSince });
    const republishedIndex = fake.calls.indexOf(republished);
    expect(republishedIndex).toBeGreaterThan(fake.calls.indexOf(posted));
    const active = (homeSections(fake.homeView(ALICE)!)['Your active runs'] ?? []).join('\n');
    expect(active).toContain(runId);
    expect(active).toContain(`<https://fake.slack/archives/${ALICE}/p${(posted.result?.ts as string).replace('.', '')}|Open>`);
  });
});

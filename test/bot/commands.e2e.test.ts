// `/runbook …` through the real Bolt app: every answer is ephemeral (posted to the
// command's response_url), refusals name the problem and the usage, and a refused command
// starts nothing.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { ActionId } from '../../src/bot/slack-ids.js';
import { USAGE } from '../../src/bot/views/help.js';
import type { FakeResponse } from '../support/fake-slack.js';
import { DEFAULT_CHANNEL } from '../support/slack-requests.js';
import { PUBLISHER, useBotRig } from './support/bot-rig.js';
import { blockTexts, buttons, clickOn, renderedStep, runCount, saveDraft, startFromSlack, visibleText, waitForMessage } from './support/slack-ui.js';

const rig = useBotRig();

let seq = 0;
/** Types `/runbook TEXT` in #ops (or `channel`) and returns the ephemeral answer. */
async function runbookCommand(text: string, channel: string = DEFAULT_CHANNEL.id): Promise<FakeResponse['body']> {
  const { fake, slack } = rig();
  seq += 1;
  const id = `cmd-${seq}`;
  const reply = await slack.command({ text, channel_id: channel, response_url: fake.responseUrl(id) });
  expect(reply.status).toBe(200);
  return (await fake.waitForResponse(id)).body;
}

function expectEphemeral(body: FakeResponse['body']): void {
  expect(body.response_type).toBe('ephemeral');
  // Never replaces the message the command was typed under.
  expect(body.replace_original).toBe(false);
}

const DEPLOY = {
  name: 'Deploy web',
  description: 'Ships the web tier.',
  variables: [{ name: 'version', description: 'Release version', required: true }],
  steps: [{ label: 'Pull {version}' }, { label: 'Restart' }, { label: 'Verify' }],
};

let draftName = '';
let archivedName = '';

beforeAll(async () => {
  await rig().publish(DEPLOY);
  await rig().publish({ name: 'Rotate keys', description: 'Quarterly key rotation.', steps: [{ label: 'Rotate' }] });
  draftName = (await saveDraft(rig(), { name: 'Deploy draft', description: 'Still being written.', steps: [{ label: 'TBD' }] })).name;
  archivedName = await rig().publish({ name: 'Deploy legacy', description: 'The old way.', steps: [{ label: 'Old' }] });
  await rig().app.runbooks.archive((await rig().app.runbooks.find(archivedName)).id, PUBLISHER);
});

beforeEach(() => {
  rig().fake.reset();
});

describe('/runbook help, list, runs and status', () => {
  it('answers help with the usage of every subcommand, only to the user who typed it', async () => {
    const body = await runbookCommand('help');
    expectEphemeral(body);
    const text = blockTexts(body.blocks as unknown[]).join('\n');
    for (const usage of Object.values(USAGE)) expect(text).toContain(usage);
    expect(rig().fake.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('answers an empty command with help too', async () => {
    const body = await runbookCommand('');
    expectEphemeral(body);
    expect(blockTexts(body.blocks as unknown[]).join('\n')).toContain(USAGE.start);
  });

  it('lists published runbooks with how to start them, shows drafts without offering to start them and hides archived ones', async () => {
    const body = await runbookCommand('list');
    expectEphemeral(body);
    const sections = blockTexts(body.blocks as unknown[]);
    const about = (name: string) => sections.find((t) => t.includes(`*${name}*`));
    expect(about('Deploy web')).toContain('Start: `/runbook start deploy-web`');
    expect(about('Rotate keys')).toContain('Start: `/runbook start rotate-keys`');
    expect(about(draftName)).toBeDefined();
    expect(about(draftName)).toContain('draft');
    expect(about(draftName)).not.toContain('Start:');
    expect(about(archivedName)).toBeUndefined();
    expect(sections.join('\n')).not.toContain('deploy-legacy');
  });

  it('lists only the runbooks whose name or description matches the text', async () => {
    const body = await runbookCommand('list rotation');
    expectEphemeral(body);
    const text = blockTexts(body.blocks as unknown[]).join('\n');
    expect(text).toContain('*Rotate keys*');
    expect(text).not.toContain('Deploy web');
    expect(text).toContain('Matching “rotation”');
  });

  it('says so when nothing matches the list text', async () => {
    const body = await runbookCommand('list zebra');
    expectEphemeral(body);
    expect(visibleText(body)).toContain('No runbooks match “zebra”');
  });

  it('lists runs, filtered by status, and refuses a status that does not exist with the usage', async () => {
    const live = await startFromSlack(rig(), 'start rotate-keys');
    const all = await runbookCommand('runs');
    expectEphemeral(all);
    expect(visibleText(all)).toContain(live.runId);

    const active = await runbookCommand('runs active');
    expect(visibleText(active)).toContain(live.runId);
    const completed = await runbookCommand('runs completed');
    expect(visibleText(completed)).not.toContain(live.runId);
    expect(visibleText(completed)).toContain('No runs with status completed');

    await clickOn(rig(), live, ActionId.Done);
    await waitForMessage(rig().fake, live, (m) => visibleText(m).includes('Completed'));
    expect(visibleText(await runbookCommand('runs completed'))).toContain(live.runId);
    expect(visibleText(await runbookCommand('runs active'))).not.toContain(live.runId);

    const bad = await runbookCommand('runs sleeping');
    expectEphemeral(bad);
    expect(visibleText(bad)).toContain('"sleeping" is not a run status');
    expect(visibleText(bad)).toContain(USAGE.runs);
  });

  it('shows a run’s status to the user alone, without buttons', async () => {
    const live = await startFromSlack(rig(), 'start deploy-web version=1.4.2');
    const since = rig().fake.calls.length;
    const body = await runbookCommand(`status ${live.runId}`);
    expectEphemeral(body);
    const text = visibleText(body);
    expect(text).toContain(live.runId);
    expect(text).toContain('Pull {version}');
    expect(text).toContain('1.4.2');
    expect(buttons(body.blocks as unknown[])).toEqual([]);
    expect((body.blocks as Array<{ type: string }>).some((b) => b.type === 'actions')).toBe(false);
    // Nothing is posted or updated in the channel for a status.
    expect(rig().fake.calls.slice(since).filter((c) => c.method.startsWith('chat.'))).toEqual([]);
  });

  it('refuses status for a run that does not exist', async () => {
    const body = await runbookCommand('status run_zzzzzzzzzzzz');
    expectEphemeral(body);
    expect(visibleText(body)).toContain('run_zzzzzzzzzzzz');
    expect(visibleText(body)).toMatch(/not found/i);
    expect(visibleText(body)).toContain(`Usage: \`${USAGE.status}\``);
  });

  it('refuses a malformed run id with the usage of the subcommand', async () => {
    const body = await runbookCommand('status 42');
    expectEphemeral(body);
    expect(visibleText(body)).toContain('"42" is not a run id');
    expect(visibleText(body)).toContain(USAGE.status);
  });
});

describe('/runbook resume', () => {
  it('resumes a paused run and posts its live message where resume was typed; later updates go to the new message', async () => {
    const { fake } = rig();
    const first = await startFromSlack(rig(), 'start deploy-web version=2.0.0');
    await clickOn(rig(), first, ActionId.Pause);
    await waitForMessage(fake, first, (m) => visibleText(m).includes('Paused'));
    expect((await rig().app.service.get(first.runId)).status).toBe('paused');

    const since = fake.calls.length;
    const reply = await rig().slack.command({ text: `resume ${first.runId}`, channel_id: 'C0WARROOM', response_url: fake.responseUrl('resume') });
    expect(reply.status).toBe(200);
    const posted = await fake.waitForCall('chat.postMessage', (a) => a.channel === 'C0WARROOM', { since });
    const moved = { channel: 'C0WARROOM', ts: posted.result?.ts as string };
    const run = await rig().app.service.get(first.runId);
    expect(run.status).toBe('running');
    expect(visibleText(fake.message(moved.channel, moved.ts))).toContain(first.runId);
    expect(renderedStep(fake.message(moved.channel, moved.ts))).toBe(run.steps[0]!.step_id);
    // Resume answered by posting the message, not with a notice.
    await rig().app.notifier?.idle();
    expect(fake.responses('resume')).toEqual([]);

    // A click on the new message advances the run and updates the new message, not the old one.
    const beforeClick = fake.calls.length;
    await clickOn(rig(), moved, ActionId.Done);
    await waitForMessage(fake, moved, (m) => renderedStep(m) === run.steps[1]!.step_id);
    await rig().app.notifier?.idle();
    const updates = fake.callsTo('chat.update').filter((c) => fake.calls.indexOf(c) >= beforeClick && c.ok);
    expect(updates.length).toBeGreaterThan(0);
    expect(updates.every((c) => c.args.channel === 'C0WARROOM' && c.args.ts === moved.ts)).toBe(true);
    // The step's reply goes to the new message's thread.
    expect(fake.threadReplies('C0WARROOM', moved.ts)).toHaveLength(1);
    expect(fake.threadReplies(first.channel, first.ts)).toHaveLength(0);

    // A change made elsewhere (not a click) also renders on the new message.
    const beforeApply = fake.calls.length;
    await rig().app.service.apply(first.runId, { type: 'advance', actor: { kind: 'cli', id: 'ops' } });
    await rig().app.notifier?.idle();
    const rendered = fake.calls.slice(beforeApply).filter((c) => c.method === 'chat.update' && c.ok);
    expect(rendered.map((c) => [c.args.channel, c.args.ts])).toEqual([['C0WARROOM', moved.ts]]);
    expect(renderedStep(fake.message(moved.channel, moved.ts))).toBe(run.steps[2]!.step_id);
  });

  it('refuses resume for a run that does not exist and posts nothing', async () => {
    const body = await runbookCommand('resume run_zzzzzzzzzzzz');
    expectEphemeral(body);
    expect(visibleText(body)).toContain('run_zzzzzzzzzzzz');
    expect(rig().fake.callsTo('chat.postMessage')).toHaveLength(0);
  });
});

describe('/runbook refusals', () => {
  const cases: Array<{ what: string; text: () => string; problem: () => string | RegExp; usage: string }> = [
    { what: 'an unknown subcommand', text: () => 'frobnicate now', problem: () => 'unknown subcommand "frobnicate"', usage: USAGE.help },
    { what: 'an unknown runbook', text: () => 'start No Such Book', problem: () => 'no runbook with id, name or slug "No Such Book"', usage: USAGE.start },
    { what: 'a draft runbook', text: () => `start ${draftName}`, problem: () => `runbook "${draftName}" is draft: only published runbooks can start runs`, usage: USAGE.start },
    { what: 'an archived runbook', text: () => `start ${archivedName}`, problem: () => `runbook "${archivedName}" is archived: only published runbooks can start runs`, usage: USAGE.start },
    { what: 'a variable without key=value syntax', text: () => 'start deploy-web version=1.0 oops', problem: () => '"oops" is not a variable', usage: USAGE.start },
    { what: 'a variable given twice', text: () => 'start deploy-web version=1 version=2', problem: () => 'variable "version" is given twice', usage: USAGE.start },
    { what: 'an unknown variable', text: () => 'start deploy-web version=1.0 colour=red', problem: () => 'unknown variable "colour" (this runbook takes: version)', usage: USAGE.start },
    { what: 'an unclosed quote', text: () => 'start deploy-web version="1.0', problem: () => 'is not closed', usage: USAGE.help },
  ];

  for (const c of cases) {
    it(`answers ${c.what} with the problem and the usage, and starts nothing`, async () => {
      const before = await runCount(rig());
      const body = await runbookCommand(c.text());
      expectEphemeral(body);
      const text = visibleText(body);
      expect(text).toContain(c.problem());
      expect(text).toContain(`Usage: \`${c.usage}`);
      await rig().app.notifier?.idle();
      expect(await runCount(rig())).toBe(before);
      expect(rig().fake.callsTo('chat.postMessage')).toHaveLength(0);
      expect(rig().fake.callsTo('views.open')).toHaveLength(0);
    });
  }
});

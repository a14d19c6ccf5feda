// `/runbook start NAME` without a required variable: the inputs modal opens on the
// command's trigger, an invalid submission comes back as inline field errors (starting
// nothing), and a valid one starts the run in the channel the command was typed in.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { BlockId, INPUT_ACTION_ID, ViewId } from '../../src/bot/slack-ids.js';
import { VARIABLE_VALUE_MAX_CHARS } from '../../src/engine/create-run.js';
import { fakeTriggerId } from '../support/slack-requests.js';
import { useBotRig } from './support/bot-rig.js';
import { runCount, runIdIn, settle, submitInputs, visibleText } from './support/slack-ui.js';

const rig = useBotRig();

const CHANNEL = 'C0DEPLOYS';
const RUNBOOK = {
  name: 'Release train',
  variables: [
    { name: 'version', description: 'Release version, like 1.2.3', required: true },
    { name: 'environment', description: 'Where to deploy', default: 'production' },
    { name: 'region', default: 'eu-west-1' },
    { name: 'ticket', description: 'Change ticket', required: false },
  ],
  steps: [{ label: 'Deploy', instruction: 'Deploy {version} to {environment} in {region}.' }],
};

interface InputBlock {
  type: 'input';
  block_id: string;
  label: { text: string };
  hint?: { text: string };
  optional?: boolean;
  element: { type: string; action_id: string; initial_value?: string; max_length?: number };
}

const inputsOf = (view: Record<string, unknown>) => (view.blocks as Array<{ type: string }>).filter((b): b is InputBlock => b.type === 'input');

/** Types the command and returns the modal it opened, with the trigger it used. */
async function openModal(text: string) {
  const { fake, slack } = rig();
  const trigger = fakeTriggerId();
  const since = fake.calls.length;
  const reply = await slack.command({ text, channel_id: CHANNEL, trigger_id: trigger });
  expect(reply.status).toBe(200);
  const call = await fake.waitForCall('views.open', () => true, { since });
  const view = (call.result?.view ?? {}) as Record<string, unknown> & { id: string };
  return { trigger, call, view };
}

function submit(view: Record<string, unknown> & { id: string }, values: Record<string, string | null>) {
  return submitInputs(rig(), view, values);
}

let name = '';
beforeAll(async () => {
  name = await rig().publish(RUNBOOK);
});

beforeEach(() => {
  rig().fake.reset();
});

describe('the inputs modal', () => {
  it('opens on the command’s trigger with one input per variable, descriptions as hints, defaults and given values filled in', async () => {
    const before = await runCount(rig());
    const { trigger, call, view } = await openModal('start release-train environment=staging');
    expect(call.args.trigger_id).toBe(trigger);
    expect(view.callback_id).toBe(ViewId.StartInputs);
    const inputs = inputsOf(view);
    expect(inputs.map((b) => b.block_id)).toEqual(RUNBOOK.variables.map((v) => `${BlockId.variablePrefix}${v.name}`));
    const byName = Object.fromEntries(inputs.map((b) => [b.label.text, b]));
    expect(byName.version?.hint?.text).toBe('Release version, like 1.2.3');
    expect(byName.environment?.hint?.text).toBe('Where to deploy');
    expect(byName.region?.hint).toBeUndefined();
    // What was typed on the command line wins over the default; the default fills the rest.
    expect(byName.environment?.element.initial_value).toBe('staging');
    expect(byName.region?.element.initial_value).toBe('eu-west-1');
    expect(byName.version?.element.initial_value).toBeUndefined();
    expect(byName.version?.optional).toBeUndefined();
    expect(byName.ticket?.optional).toBe(true);
    for (const b of inputs) expect(b.element.action_id).toBe(INPUT_ACTION_ID);
    // Opening the modal starts nothing and posts nothing.
    expect(await runCount(rig())).toBe(before);
    expect(rig().fake.callsTo('chat.postMessage')).toHaveLength(0);
    expect(rig().fake.responses()).toEqual([]);
  });

  it('refuses a value that is too long with an inline error under its field, and starts nothing', async () => {
    const { view } = await openModal('start release-train');
    const before = await runCount(rig());
    const tooLong = 'v'.repeat(VARIABLE_VALUE_MAX_CHARS + 1);
    const reply = await submit(view, { 'var:version': '1.2.3', 'var:environment': 'production', 'var:region': tooLong, 'var:ticket': null });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({
      response_action: 'errors',
      errors: { 'var:region': `variable "region" must be at most ${VARIABLE_VALUE_MAX_CHARS} characters (got ${VARIABLE_VALUE_MAX_CHARS + 1})` },
    });
    await settle(200);
    await rig().app.notifier?.idle();
    expect(await runCount(rig())).toBe(before);
    expect(rig().fake.callsTo('chat.postMessage')).toHaveLength(0);
    expect(rig().fake.callsTo('chat.postEphemeral')).toHaveLength(0);
  });

  it('refuses a blank required value under its field', async () => {
    const { view } = await openModal('start release-train');
    const before = await runCount(rig());
    const reply = await submit(view, { 'var:version': '   ', 'var:environment': 'production', 'var:region': 'eu-west-1', 'var:ticket': null });
    expect(reply.json).toEqual({ response_action: 'errors', errors: { 'var:version': 'version is required' } });
    expect(await runCount(rig())).toBe(before);
  });

  it('starts the run on a valid submission and posts its live message in the command’s channel with the variables', async () => {
    const { fake } = rig();
    const { view } = await openModal('start Release Train environment=staging');
    const before = await runCount(rig());
    const since = fake.calls.length;
    const reply = await submit(view, { 'var:version': '4.5.6', 'var:environment': 'staging', 'var:region': 'eu-west-1', 'var:ticket': null });
    expect(reply.status).toBe(200);
    // A plain ack closes the modal.
    expect(reply.body).toBe('');

    const posted = await fake.waitForCall('chat.postMessage', (a) => a.thread_ts === undefined, { since });
    expect(posted.args.channel).toBe(CHANNEL);
    const message = fake.message(CHANNEL, posted.result?.ts as string);
    const text = visibleText(message);
    expect(text).toContain('`version` 4.5.6');
    expect(text).toContain('`environment` staging');
    expect(text).toContain('`region` eu-west-1');
    expect(text).toContain('Deploy 4.5.6 to staging in eu-west-1.');

    const run = await rig().app.service.get(runIdIn(message));
    expect(run.runbook.name).toBe(name);
    expect(run.variables).toEqual({ version: '4.5.6', environment: 'staging', region: 'eu-west-1' });
    expect(run.started_by).toMatchObject({ kind: 'slack', id: 'U0ALICE' });
    expect(run.trigger.context).toEqual({ slack_channel: CHANNEL });
    expect(await runCount(rig())).toBe(before + 1);
    // No notice: the message is the answer.
    await rig().app.notifier?.idle();
    expect(fake.callsTo('chat.postEphemeral')).toHaveLength(0);
  });

  it('starts at once, without a modal, when the command line gives every required variable', async () => {
    const { fake, slack } = rig();
    const since = fake.calls.length;
    await slack.command({ text: 'start release-train version=7.0.0', channel_id: CHANNEL });
    const posted = await fake.waitForCall('chat.postMessage', () => true, { since });
    expect(posted.args.channel).toBe(CHANNEL);
    expect(fake.callsTo('views.open')).toHaveLength(0);
    const run = await rig().app.service.get(runIdIn(fake.message(CHANNEL, posted.result?.ts as string)));
    expect(run.variables).toEqual({ version: '7.0.0', environment: 'production', region: 'eu-west-1' });
  });
});

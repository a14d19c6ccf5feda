// required_permissions through the real Bolt app: a start by someone lacking a permission is
// refused ephemerally, naming what is missing and how to get it, and creates nothing; grants
// made with the CLI (to the user, or to a Slack user group they are in) let the start through.
import { beforeEach, describe, expect, it } from 'vitest';

import { ActionId, INPUT_ACTION_ID, ViewId } from '../../src/bot/slack-ids.js';
import { decodeStartRunbookValue } from '../../src/bot/views/home.js';
import { appHomeOpenedEvent, blockActionPayload, DEFAULT_CHANNEL, plainTextInputValues, viewSubmissionPayload } from '../support/slack-requests.js';
import { adminCli } from './support/admin-cli.js';
import { useBotRig } from './support/bot-rig.js';
import { buttons, runCount, settle, startFromSlack, visibleText } from './support/slack-ui.js';

const ONCALL = 'S0ONCALL';
const PAT = 'U0PAT';
const rig = useBotRig({ fake: { usergroups: { [ONCALL]: [PAT, 'U0QUINN'] } } });

const DEVICE_PERMISSIONS = ['devices:read', 'devices:execute'];
const steps = [{ label: 'Capture baseline' }, { label: 'Clean up' }];

const admin = adminCli(rig);

let refusals = 0;

/** `/runbook TEXT` from `user`, which must be refused: returns the ephemeral answer after checking nothing was created. */
async function startRefused(text: string, user: string): Promise<{ response_type: unknown; text: string; shown: string }> {
  const { fake, slack } = rig();
  const runsBefore = await runCount(rig());
  const since = fake.calls.length;
  refusals += 1;
  const responseId = `refused-${refusals}`;
  const reply = await slack.command({ text, user_id: user, user_name: user.toLowerCase(), response_url: fake.responseUrl(responseId) });
  expect(reply.status).toBe(200);
  const answer = await fake.waitForResponse(responseId);
  await settle(100);
  expect(await runCount(rig())).toBe(runsBefore);
  expect(fake.calls.slice(since).filter((c) => ['chat.postMessage', 'views.open'].includes(c.method))).toEqual([]);
  const body = answer.body as { response_type: unknown; text: string; blocks?: unknown };
  return { response_type: body.response_type, text: body.text, shown: visibleText(body) };
}

beforeEach(() => {
  rig().fake.reset();
});

describe('starting a runbook with required_permissions', () => {
  it('refuses a user without grants, then one missing permission, and starts once a user group of theirs holds the other', async () => {
    const { fake, publish } = rig();
    const name = await publish({ name: 'Disk Cleanup Drill', required_permissions: DEVICE_PERMISSIONS, steps });

    const none = await startRefused('start disk-cleanup-drill', PAT);
    expect(none.response_type).toBe('ephemeral');
    expect(none.text).toBe(
      `You need devices:read and devices:execute to start “${name}”. An admin can grant them with \`runbook-bot permissions grant ${PAT} devices:read devices:execute\`.`,
    );
    expect(none.shown).not.toContain('Usage:');

    expect(await admin('permissions', 'grant', `<@${PAT}|pat>`, 'devices:read')).toEqual([`granted devices:read to user ${PAT}`]);
    const one = await startRefused('start disk-cleanup-drill', PAT);
    expect(one.text).toBe(`You need devices:execute to start “${name}”. An admin can grant it with \`runbook-bot permissions grant ${PAT} devices:execute\`.`);

    expect(await admin('permissions', 'grant', `<!subteam^${ONCALL}|@oncall>`, 'devices:execute')).toEqual([`granted devices:execute to user group ${ONCALL}`]);
    const since = fake.calls.length;
    const live = await startFromSlack(rig(), 'start disk-cleanup-drill', { user: PAT });

    expect(fake.calls.slice(since).filter((c) => c.method === 'usergroups.users.list').map((c) => c.args.usergroup)).toEqual([ONCALL]);
    expect(live.channel).toBe(DEFAULT_CHANNEL.id);
    expect(visibleText(fake.message(live.channel, live.ts))).toContain('Capture baseline');
    const run = await rig().app.service.get(live.runId);
    expect(run).toMatchObject({ status: 'running', runbook: { name, required_permissions: DEVICE_PERMISSIONS }, started_by: { kind: 'slack', id: PAT } });
  });

  it('still refuses someone outside the granted user group, and covers every action with resource:*', async () => {
    const name = await rig().publish({ name: 'Memory Relief Drill', required_permissions: DEVICE_PERMISSIONS, steps });
    await admin('permissions', 'grant', ONCALL, 'devices:*');

    const outsider = await startRefused('start memory-relief-drill', 'U0MALLORY');
    expect(outsider.text).toContain('You need devices:read and devices:execute to start “Memory Relief Drill”.');

    const live = await startFromSlack(rig(), 'start memory-relief-drill', { user: 'U0QUINN' });
    expect((await rig().app.service.get(live.runId)).runbook.name).toBe(name);
  });

  it('starts a runbook without required_permissions for anyone, asking Slack about no group', async () => {
    const { fake, publish } = rig();
    await publish({ name: 'Open For All', steps });

    const live = await startFromSlack(rig(), 'start open-for-all', { user: 'U0ANYONE' });

    expect((await rig().app.service.get(live.runId)).started_by).toMatchObject({ id: 'U0ANYONE' });
    expect(fake.callsTo('usergroups.users.list')).toEqual([]);
  });

  it('refuses before opening the inputs modal when the user lacks a permission', async () => {
    await rig().publish({ name: 'Service Restart Drill', required_permissions: ['services:restart'], variables: [{ name: 'service', required: true }], steps });

    const refused = await startRefused('start service-restart-drill', 'U0NOVICE');

    expect(refused.text).toBe(
      'You need services:restart to start “Service Restart Drill”. An admin can grant it with `runbook-bot permissions grant U0NOVICE services:restart`.',
    );
  });

  it('refuses App Home’s Start before opening the inputs modal, telling the user in their DM, creating nothing', async () => {
    const { fake, slack, publish } = rig();
    const name = await publish({ name: 'Patch Drill', required_permissions: ['patches:install'], variables: [{ name: 'kb', required: true }], steps });
    const runbookId = (await rig().app.runbooks.find(name)).id;
    const user = 'U0HOMER';

    await slack.event(appHomeOpenedEvent({ user }));
    await fake.waitForCall('views.publish', (a) => a.user_id === user);
    const home = fake.homeView(user)!;
    const start = buttons(home.view.blocks as unknown[]).find((b) => b.action_id === ActionId.StartRunbook && decodeStartRunbookValue(b.value!).rb === runbookId)!;
    const click = blockActionPayload({ user, messageTs: '0', actionId: start.action_id, value: start.value!, text: start.text.text });
    const { message: _message, channel: _channel, response_url: _responseUrl, ...rest } = click;
    const runsBefore = await runCount(rig());
    const since = fake.calls.length;
    await slack.action({ ...rest, container: { type: 'view', view_id: home.id }, view: home.view });

    const told = await fake.waitForCall('chat.postMessage', (a) => a.channel === user, { since });
    expect(told.args.text).toBe(
      `You need patches:install to start “${name}”. An admin can grant it with \`runbook-bot permissions grant ${user} patches:install\`.`,
    );
    await settle(100);
    expect(fake.calls.slice(since).filter((c) => c.method === 'views.open')).toEqual([]);
    expect(await runCount(rig())).toBe(runsBefore);
  });

  it('refuses the submission of a modal opened by /runbook start when the permission was revoked meanwhile', async () => {
    const { fake, slack, publish } = rig();
    const name = await publish({ name: 'Cert Drill', required_permissions: ['certs:rotate'], variables: [{ name: 'domain', required: true }], steps });
    const user = 'U0REVOKED';
    await admin('permissions', 'grant', user, 'certs:rotate');
    await slack.command({ text: 'start cert-drill', user_id: user, user_name: 'revoked' });
    const opened = await fake.waitForCall('views.open', () => true);
    const modal = opened.result?.view as { id: string; private_metadata: string; blocks: unknown[] };
    expect(await admin('permissions', 'revoke', user, 'certs:rotate')).toEqual([`revoked certs:rotate from user ${user}`]);

    const since = fake.calls.length;
    await slack.viewSubmission(submissionAs(user, modal, { 'var:domain': 'example.com' }));

    const told = await fake.waitForCall('chat.postEphemeral', (a) => a.user === user, { since });
    expect(told.args.channel).toBe(DEFAULT_CHANNEL.id);
    expect(told.args.text).toContain(`You need certs:rotate to start “${name}”.`);
    await settle(100);
    expect(fake.calls.slice(since).filter((c) => c.method === 'chat.postMessage')).toEqual([]);
  });
});

/** The inputs modal submitted by `user` with `values` typed in (by block id). */
function submissionAs(user: string, modal: { id: string; private_metadata: string; blocks: unknown[] }, values: Record<string, string>) {
  return viewSubmissionPayload({
    user,
    callbackId: ViewId.StartInputs,
    viewId: modal.id,
    privateMetadata: modal.private_metadata,
    blocks: modal.blocks,
    values: plainTextInputValues(values, INPUT_ACTION_ID),
  });
}

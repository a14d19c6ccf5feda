// Roles through the real Bolt app, once an admin grant switched them on: the slash command, a
// button and a modal submission are each refused for someone without the role that allows
// them, telling only them why and how to get it, with the run exactly as it was and the
// refusal recorded; a role on one runbook and a role held by a Slack user group let them through.
import { beforeAll, describe, expect, it } from 'vitest';

import { ViewId } from '../../src/bot/slack-ids.js';
import { createAccessStore } from '../../src/models/access-store.js';
import { appHomeOpenedEvent, plainTextInputValues, viewSubmissionPayload } from '../support/slack-requests.js';
import { adminCli } from './support/admin-cli.js';
import { useBotRig } from './support/bot-rig.js';
import { startRun } from './support/run-message.js';
import { runCount, settle } from './support/slack-ui.js';

const APPROVERS = 'S0APPROVERS';
const rig = useBotRig({ fake: { usergroups: { [APPROVERS]: ['U0CAROL'] } } });

const OPS = 'U0ALICE'; // the rig's default user: operator of the drill only
const VIEWER = 'U0VIC';
const NOBODY = 'U0NOBODY';

const admin = adminCli(rig);

let responses = 0;

/** `/runbook TEXT` from `user`: the ephemeral answer, after checking no run was created. */
async function commandRefused(text: string, user: string): Promise<string> {
  const { fake, slack } = rig();
  const runsBefore = await runCount(rig());
  const responseId = `roles-${(responses += 1)}`;
  const reply = await slack.command({ text, user_id: user, user_name: user.toLowerCase(), response_url: fake.responseUrl(responseId) });
  expect(reply.status).toBe(200);
  const answer = await fake.waitForResponse(responseId);
  await settle(100);
  expect(await runCount(rig())).toBe(runsBefore);
  expect(answer.body).toMatchObject({ response_type: 'ephemeral' });
  return (answer.body as { text: string }).text;
}

let drillId = '';
let otherId = '';

beforeAll(async () => {
  await rig().publish({ name: 'Cache Drill', steps: [{ label: 'Flush cache' }, { label: 'Sign-off', type: 'gate' }, { label: 'Report' }] });
  await rig().publish({ name: 'Payments Drill', steps: [{ label: 'Rotate keys' }] });
  drillId = (await rig().app.runbooks.find('Cache Drill')).id;
  otherId = (await rig().app.runbooks.find('Payments Drill')).id;
});

describe('before any admin grant', () => {
  it('lets anyone start and drive a run, as before roles', async () => {
    const live = await startRun(rig, 'Cache Drill', { user: NOBODY });
    const { run } = await live.clickOk('Done', { user: 'U0SOMEONE' });
    expect(run.steps[0]).toMatchObject({ status: 'completed', actor: { id: 'U0SOMEONE' } });
  });
});

describe('once roles are on', () => {
  beforeAll(async () => {
    expect(await admin('permissions', 'grant', 'U0BOSS', 'admin')).toEqual(['granted admin to user U0BOSS']);
    await admin('permissions', 'grant', OPS, 'operator@cache-drill');
    await admin('permissions', 'grant', VIEWER, 'viewer');
    await admin('permissions', 'grant', APPROVERS, `approver@${'cache-drill'}`);
  });

  it('refuses /runbook start and /runbook runs from someone without a role, saying which role and how to get it', async () => {
    expect(await commandRefused('start cache-drill', NOBODY)).toBe(
      `You may not start or drive runs on “Cache Drill”: that needs the operator or admin role, everywhere or on this runbook. An admin can grant it with \`runbook-bot permissions grant ${NOBODY} operator@${drillId}\`.`,
    );
    expect(await commandRefused('runs', NOBODY)).toBe(
      `You may not see runbooks and runs: that needs the viewer, operator, approver, editor or admin role. An admin can grant it with \`runbook-bot permissions grant ${NOBODY} viewer\`.`,
    );
  });

  it('lets an operator of one runbook start it and not another', async () => {
    expect(await commandRefused('start payments-drill', OPS)).toContain(`You may not start or drive runs on “Payments Drill”`);
    const live = await startRun(rig, 'Cache Drill', { user: OPS });
    expect((await live.snapshot()).run.started_by).toMatchObject({ id: OPS });
    expect(otherId).not.toBe(drillId);
  });

  it('refuses Done from a viewer and Approve from the operator, leaving the run as it was; a member of the approving group approves', async () => {
    const live = await startRun(rig, 'Cache Drill', { user: OPS });

    const done = await live.clickRefused('Done', { user: VIEWER });
    expect(done.answer.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect((done.answer.body as { text: string }).text).toContain('You may not start or drive runs on “Cache Drill”');
    expect(done.after).toEqual(done.before);

    await live.clickOk('Done', { user: OPS });
    const approve = await live.clickRefused('Approve', { user: OPS });
    expect((approve.answer.body as { text: string }).text).toBe(
      `You may not approve or reject steps on “Cache Drill”: that needs the approver or admin role, everywhere or on this runbook. An admin can grant it with \`runbook-bot permissions grant ${OPS} approver@${drillId}\`.`,
    );
    expect(approve.after).toEqual(approve.before);

    const { run } = await live.clickOk('Approve', { user: 'U0CAROL' });
    expect(run.steps[1]).toMatchObject({ status: 'completed', outcome: 'approved', actor: { id: 'U0CAROL' } });
  });

  it('refuses the Fail button of a viewer before the modal opens, and the modal’s submission if the role went meanwhile', async () => {
    const { fake, slack } = rig();
    const live = await startRun(rig, 'Cache Drill', { user: OPS });
    const viewerClick = await live.clickRefused('Fail', { user: VIEWER });
    expect((viewerClick.answer.body as { text: string }).text).toContain('You may not start or drive runs on “Cache Drill”');
    expect(fake.calls.slice(viewerClick.click.since).filter((c) => c.method === 'views.open')).toEqual([]);

    await admin('permissions', 'grant', 'U0TEMP', 'operator');
    const sent = await live.click('Fail', { user: 'U0TEMP' });
    const opened = await fake.waitForCall('views.open', undefined, { since: sent.since });
    const view = opened.result!.view as { id: string; private_metadata: string };
    await admin('permissions', 'revoke', 'U0TEMP', 'operator');
    const before = await live.snapshot();
    const since = fake.calls.length;
    await slack.viewSubmission(
      viewSubmissionPayload({ user: 'U0TEMP', callbackId: ViewId.FailReason, viewId: view.id, privateMetadata: view.private_metadata, values: plainTextInputValues({ fail_reason: 'broken' }) }),
    );
    const told = await fake.waitForCall('chat.postEphemeral', (a) => a.user === 'U0TEMP', { since });
    expect(told.args.text).toContain('You may not start or drive runs on “Cache Drill”');
    await settle(100);
    expect(await live.snapshot()).toEqual(before);
  });

  it('shows App Home to a viewer, and to someone without a role only what role they need', async () => {
    const { fake, slack } = rig();
    for (const user of [VIEWER, NOBODY]) {
      const since = fake.calls.length;
      await slack.event(appHomeOpenedEvent({ user }));
      await fake.waitForCall('views.publish', (a) => a.user_id === user, { since });
    }
    const shown = (user: string) => JSON.stringify(fake.homeView(user)!.view.blocks);
    expect(shown(VIEWER)).toContain('Cache Drill');
    expect(shown(NOBODY)).not.toContain('Cache Drill');
    expect(shown(NOBODY)).toContain(`runbook-bot permissions grant ${NOBODY} viewer`);
  });

  it('records every refusal with the surface, the action, the runbook and the run', async () => {
    const refusals = await createAccessStore(rig().app.db.conn).refusals(100);
    const actions = refusals.map((r) => `${r.actor.id}:${r.action}:${r.surface}`);
    expect(actions).toEqual(expect.arrayContaining([`${NOBODY}:run:slack`, `${NOBODY}:read:slack`, `${VIEWER}:run:slack`, `${OPS}:approve:slack`, 'U0TEMP:run:slack']));
    const approve = refusals.find((r) => r.actor.id === OPS && r.action === 'approve');
    expect(approve).toMatchObject({ runbook_id: drillId, run_id: expect.stringMatching(/^run_/) });
  });
});

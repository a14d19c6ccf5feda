// Roles on alerts, once an admin grant switched them on: an auto_execute playbook runs by
// itself only when the configured identity holds the operator role on it, and Run and Dismiss
// on a card are refused to someone without that role, leaving the card and the alert as they
// were and recording the refusal with the surface it came through.
import { fileURLToPath } from 'node:url';

import { beforeAll, describe, expect, it, vi } from 'vitest';

import { createAccessStore } from '../../src/models/access-store.js';
import { createAlertStore } from '../../src/models/alert-store.js';
import { createPermissionStore } from '../../src/models/permission-store.js';
import { useBotRig } from './support/bot-rig.js';
import { alertCards } from './support/alert-cards.js';
import { textOf } from './support/run-message.js';
import { runCount } from './support/slack-ui.js';

const TOKEN = 'alerts-token-for-the-role-tests';
const CHANNEL = 'C0ALERTS2';
const RULES = fileURLToPath(new URL('../fixtures/alerts/alert-config.yaml', import.meta.url));
const AUTO_RUN_AS = 'apikey:alerts';
const rig = useBotRig({ config: { alertsToken: TOKEN, alertsChannel: CHANNEL, alertRulesFile: RULES } });
const { postAlert, clickCard, cardsIn, cardButtons } = alertCards(rig, { token: TOKEN, channel: CHANNEL });
const cli = { kind: 'cli' as const, id: 'tester' };
const VIEWER = { id: 'U0VIEWER', name: 'vera' };

beforeAll(async () => {
  const grants = createPermissionStore(rig().app.db.conn);
  await grants.grant('U0BOSS', ['admin'], cli);
  await grants.grant(VIEWER.id, ['viewer'], cli);
  await createAccessStore(rig().app.db.conn).enforce(cli);
});

describe('alerts once roles are on', () => {
  it('auto-runs a playbook only once the auto_execute identity holds the operator role on it', async () => {
    const { fake, publish } = rig();
    await publish({
      name: 'Restart cache automatically',
      variables: [{ name: 'serviceName', required: true }],
      trigger: { alert_types: ['cache_down'], auto_execute: true },
      steps: [{ label: 'Restart {{serviceName}}' }],
    });
    const since = fake.calls.length;
    await postAlert({ type: 'cache_down', severity: 'medium', summary: 'redis down', labels: { service: 'redis' }, fingerprint: 'role-cache-1' });
    const cardTs = cardsIn(since)[0]!.result?.ts as string;
    await new Promise((r) => setTimeout(r, 300));
    await rig().app.notifier?.idle();
    expect(await createAlertStore(rig().app.db.conn).get('role-cache-1')).toMatchObject({ run_id: null, decisions: [] });
    expect(cardButtons(fake.message(CHANNEL, cardTs)).map((b) => b.label)).toContain('Run');
    const refused = (await createAccessStore(rig().app.db.conn).refusals(50)).find((r) => r.actor.id === AUTO_RUN_AS);
    expect(refused).toMatchObject({ action: 'run', surface: 'alerts' });

    const playbook = await rig().app.runbooks.find('Restart cache automatically');
    await createPermissionStore(rig().app.db.conn).grant(AUTO_RUN_AS, [`operator@${playbook.id}`], cli);
    const later = fake.calls.length;
    await postAlert({ type: 'cache_down', severity: 'medium', summary: 'redis down', labels: { service: 'redis' }, fingerprint: 'role-cache-2' });
    const next = cardsIn(later)[0]!.result?.ts as string;
    await vi.waitFor(() => expect(textOf(fake.message(CHANNEL, next))).toContain('Started automatically'));
  });

  it('refuses Run and Dismiss on a card to a viewer, leaving the alert and the card as they were', async () => {
    const { fake, publish } = rig();
    await publish({ name: 'Restart queue by hand', trigger: { alert_types: ['queue_down'] }, steps: [{ label: 'Restart it' }] });
    const since = fake.calls.length;
    await postAlert({ type: 'queue_down', severity: 'high', summary: 'queue down', fingerprint: 'role-queue-1' });
    const cardTs = cardsIn(since)[0]!.result?.ts as string;
    await rig().app.notifier?.idle();
    const card = fake.message(CHANNEL, cardTs);
    const runsBefore = await runCount(rig());

    await clickCard(cardTs, 'Run', VIEWER, 'viewer-run');
    const run = await fake.waitForResponse('viewer-run');
    expect((run.body as { text: string }).text).toContain('You may not start or drive runs on “Restart queue by hand”');
    await clickCard(cardTs, 'Dismiss', VIEWER, 'viewer-dismiss');
    const dismiss = await fake.waitForResponse('viewer-dismiss');
    expect((dismiss.body as { text: string }).text).toBe(
      `You may not start or drive runs: that needs the operator or admin role. An admin can grant it with \`runbook-bot permissions grant ${VIEWER.id} operator\`.`,
    );

    await rig().app.notifier?.idle();
    expect(await runCount(rig())).toBe(runsBefore);
    expect(await createAlertStore(rig().app.db.conn).get('role-queue-1')).toMatchObject({ run_id: null, decisions: [] });
    expect(textOf(fake.message(CHANNEL, cardTs))).toBe(textOf(card));
  });
});

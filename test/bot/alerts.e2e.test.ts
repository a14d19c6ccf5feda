// Alerts end to end: an alert posted to the webhook is stored, matched to published
// playbooks, and suggested on a card in the alerts channel (or started, when its playbook
// says auto_execute); Run starts the playbook in the card's thread with variables from the
// alert; Dismiss and resolved notifications update the card. Slack is the fake.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it, vi } from 'vitest';

import { createAlertStore } from '../../src/models/alert-store.js';
import { createPermissionStore } from '../../src/models/permission-store.js';
import { FAKE_BOT } from '../support/fake-slack.js';
import { DEFAULT_USER } from '../support/slack-requests.js';
import { useBotRig } from './support/bot-rig.js';
import { buttonsOf, textOf } from './support/run-message.js';
import { alertCards } from './support/alert-cards.js';
import { submitInputs } from './support/slack-ui.js';

const TOKEN = 'alerts-token-for-the-e2e-tests';
const CHANNEL = 'C0ALERTS1';
const RULES = fileURLToPath(new URL('../fixtures/alerts/alert-config.yaml', import.meta.url));
/** auto_execute_as in that file. */
const AUTO_RUN_AS = 'apikey:alerts';
const rig = useBotRig({ config: { alertsToken: TOKEN, alertsChannel: CHANNEL, alertRulesFile: RULES } });
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/alerts/${name}`, import.meta.url), 'utf8')) as { event: Record<string, unknown> };

/** A human runbook suggested for service_down alerts; its variables come from the alert. */
const restartByHand = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  variables: [{ name: 'deviceId', required: true }, { name: 'serviceName', required: true }],
  trigger: { alert_types: ['service_down'], ...extra },
  steps: [{ label: 'Restart {{serviceName}} on {{deviceId}}', instruction: 'Restart it.' }],
});

const { postAlert, clickCard, cardsIn, cardButtons, registerDevices } = alertCards(rig, { token: TOKEN, channel: CHANNEL });

describe('alert suggestions', () => {
  it('suggests the matching playbooks on a card, and Run starts one in the card thread with the alert’s variables', async () => {
    const { fake, publish } = rig();
    await publish(restartByHand('Restart service by hand'));
    await publish(restartByHand('Restart on critical only', { min_severity: 'critical' }));
    await registerDevices('web-01');
    const since = fake.calls.length;
    const { alerts } = await postAlert({ type: 'service_down', severity: 'high', host: 'web-01', summary: 'nginx down', labels: { service: 'nginx' }, fingerprint: 'svc-1' });
    expect(alerts).toEqual([{ fingerprint: 'svc-1', type: 'service_down', status: 'firing', outcome: 'new' }].map((a) => expect.objectContaining(a)));

    const [card] = cardsIn(since);
    expect(card).toBeDefined();
    const cardTs = card!.result?.ts as string;
    const message = fake.message(CHANNEL, cardTs);
    expect(textOf(message)).toContain('service_down');
    expect(textOf(message)).toContain('Restart service by hand');
    expect(textOf(message)).not.toContain('Restart on critical only');
    expect(cardButtons(message).map((b) => b.label)).toEqual(['Run', 'Dismiss']);

    // Run: the run message goes into the card's thread, variables filled from the alert.
    const clickSince = fake.calls.length;
    await clickCard(cardTs, 'Run', DEFAULT_USER, 'alert-run');
    const posted = await fake.waitForCall('chat.postMessage', (args) => args.channel === CHANNEL && args.thread_ts === cardTs, { since: clickSince });
    const runId = buttonsOf(fake.message(CHANNEL, posted.result?.ts as string))[0]!.decoded.r;
    const run = await rig().app.service.get(runId);
    expect(run.variables).toEqual({ deviceId: 'web-01', serviceName: 'nginx' });
    expect(run.trigger).toEqual({ source: 'alert', context: { alert_id: 'svc-1', slack_channel: CHANNEL } });
    expect(run.started_by.id).toBe(DEFAULT_USER.id);
    await vi.waitFor(() => expect(textOf(fake.message(CHANNEL, cardTs))).toContain(runId));
    expect(cardButtons(fake.message(CHANNEL, cardTs)).map((b) => b.label)).not.toContain('Run');
    const stored = await createAlertStore(rig().app.db.conn).get('svc-1');
    expect(stored).toMatchObject({ run_id: runId, decisions: [expect.objectContaining({ action: 'run', run_id: runId })] });

    // The same alert firing again while its run is active: no second card.
    const again = fake.calls.length;
    expect((await postAlert({ type: 'service_down', severity: 'high', host: 'web-01', summary: 'nginx down', labels: { service: 'nginx' }, fingerprint: 'svc-1' })).alerts[0]?.outcome).toBe('repeat');
    await rig().app.notifier?.idle();
    expect(cardsIn(again)).toEqual([]);
  });

  it('records who dismissed the suggestions, and marks the card resolved when the alert resolves', async () => {
    const { fake, publish } = rig();
    await publish(restartByHand('Restart for dismiss'));
    const since = fake.calls.length;
    await postAlert({ type: 'service_down', severity: 'high', host: 'web-02', summary: 'api down', fingerprint: 'svc-2' });
    const cardTs = cardsIn(since)[0]!.result?.ts as string;
    await clickCard(cardTs, 'Dismiss', { id: 'U0BOB', name: 'bob' }, 'alert-dismiss');
    await vi.waitFor(() => expect(textOf(fake.message(CHANNEL, cardTs))).toContain('Dismissed by <@U0BOB>'));
    expect(cardButtons(fake.message(CHANNEL, cardTs))).toEqual([]);

    expect((await postAlert({ type: 'service_down', severity: 'high', host: 'web-02', summary: 'api down', fingerprint: 'svc-2', status: 'resolved' })).alerts[0]?.outcome).toBe('resolved');
    await vi.waitFor(() => expect(textOf(fake.message(CHANNEL, cardTs))).toContain('Resolved'));

    // Firing again later is a new episode: a new card, offering the playbooks again.
    const refire = fake.calls.length;
    expect((await postAlert({ type: 'service_down', severity: 'high', host: 'web-02', summary: 'api down', fingerprint: 'svc-2' })).alerts[0]?.outcome).toBe('refired');
    const fresh = cardsIn(refire)[0]!.result?.ts as string;
    expect(fresh).not.toBe(cardTs);
    expect(cardButtons(fake.message(CHANNEL, fresh)).map((b) => b.label)).toContain('Run');
    expect(textOf(fake.message(CHANNEL, fresh))).not.toContain('Dismissed');
  });

  it('starts an auto_execute playbook by itself and says so on the card', async () => {
    const { fake, publish } = rig();
    await publish({
      name: 'Restart automatically',
      variables: [{ name: 'serviceName', required: true }],
      trigger: { alert_types: ['cache_down'], auto_execute: true },
      steps: [{ label: 'Restart {{serviceName}}' }],
    });
    const since = fake.calls.length;
    await postAlert({ type: 'cache_down', severity: 'medium', summary: 'redis down', labels: { service: 'redis' }, fingerprint: 'cache-1' });
    const cardTs = cardsIn(since)[0]!.result?.ts as string;
    await vi.waitFor(() => expect(textOf(fake.message(CHANNEL, cardTs))).toContain('Started automatically'));
    const stored = await createAlertStore(rig().app.db.conn).get('cache-1');
    const run = await rig().app.service.get(stored!.run_id!);
    expect(run).toMatchObject({ variables: { serviceName: 'redis' }, trigger: { source: 'alert', context: { alert_id: 'cache-1' } }, started_by: { kind: 'system', id: AUTO_RUN_AS } });
    await fake.waitForCall('chat.postMessage', (args) => args.channel === CHANNEL && args.thread_ts === cardTs, { since });
  });

  it('does not auto-run a playbook whose permissions the auto_execute identity lacks: the card offers Run, until they are granted', async () => {
    const { fake, publish } = rig();
    await publish({
      name: 'Restart queue automatically',
      required_permissions: ['devices:execute'],
      variables: [{ name: 'serviceName', required: true }],
      trigger: { alert_types: ['queue_down'], auto_execute: true },
      steps: [{ label: 'Restart {{serviceName}}' }],
    });
    const since = fake.calls.length;
    await postAlert({ type: 'queue_down', severity: 'high', summary: 'queue down', labels: { service: 'rabbitmq' }, fingerprint: 'queue-1' });
    const cardTs = cardsIn(since)[0]!.result?.ts as string;
    await new Promise((r) => setTimeout(r, 300));
    await rig().app.notifier?.idle();
    expect(await createAlertStore(rig().app.db.conn).get('queue-1')).toMatchObject({ run_id: null, decisions: [] });
    expect(cardButtons(fake.message(CHANNEL, cardTs)).map((b) => b.label)).toContain('Run');

    await createPermissionStore(rig().app.db.conn).grant(AUTO_RUN_AS, ['devices:execute'], { kind: 'cli', id: 'test' });
    const later = fake.calls.length;
    await postAlert({ type: 'queue_down', severity: 'high', summary: 'queue down', labels: { service: 'rabbitmq' }, fingerprint: 'queue-2' });
    const next = cardsIn(later)[0]!.result?.ts as string;
    await vi.waitFor(() => expect(textOf(fake.message(CHANNEL, next))).toContain('Started automatically'));
    const stored = await createAlertStore(rig().app.db.conn).get('queue-2');
    expect(await rig().app.service.get(stored!.run_id!)).toMatchObject({ started_by: { kind: 'system', id: AUTO_RUN_AS } });
  });

  it('asks in the inputs modal for what the alert does not give, then starts the run in the card thread', async () => {
    const { fake, publish } = rig();
    await publish({
      name: 'Restart with a reason',
      variables: [{ name: 'deviceId', required: true }, { name: 'reason', required: true }],
      trigger: { alert_types: ['queue_stuck'] },
      steps: [{ label: 'Restart {{deviceId}} because {{reason}}' }],
    });
    await registerDevices('mq-01');
    const since = fake.calls.length;
    await postAlert({ type: 'queue_stuck', severity: 'high', host: 'mq-01', summary: 'queue stuck', fingerprint: 'mq-1' });
    const cardTs = cardsIn(since)[0]!.result?.ts as string;
    expect(textOf(fake.message(CHANNEL, cardTs))).toContain('reason');
    const opened = fake.calls.length;
    await clickCard(cardTs, 'Run', DEFAULT_USER, 'alert-modal');
    const call = await fake.waitForCall('views.open', () => true, { since: opened });
    const view = (call.result?.view ?? {}) as Record<string, unknown> & { id: string };
    // The device came from the alert and is filled in; the reason is the person's to give.
    expect(JSON.stringify(view.blocks)).toContain('mq-01');
    expect((await submitInputs(rig(), view, { 'var:deviceId': 'mq-01', 'var:reason': 'stuck consumers' })).status).toBe(200);
    const posted = await fake.waitForCall('chat.postMessage', (args) => args.channel === CHANNEL && args.thread_ts === cardTs, { since: opened });
    const runId = buttonsOf(fake.message(CHANNEL, posted.result?.ts as string))[0]!.decoded.r;
    expect(await rig().app.service.get(runId)).toMatchObject({
      variables: { deviceId: 'mq-01', reason: 'stuck consumers' },
      trigger: { source: 'alert', context: { alert_id: 'mq-1' } },
    });
    // Recorded right after the run message is posted.
    await vi.waitFor(async () => expect(await createAlertStore(rig().app.db.conn).get('mq-1')).toMatchObject({ run_id: runId }));
  });

  it('refuses Run to someone missing the playbook’s permissions, and changes nothing', async () => {
    const { fake, publish } = rig();
    await publish({ ...restartByHand('Guarded restart'), trigger: { alert_types: ['db_down'] }, required_permissions: ['devices:execute'] });
    const since = fake.calls.length;
    await postAlert({ type: 'db_down', severity: 'high', host: 'db-01', summary: 'db down', labels: { service: 'postgres' }, fingerprint: 'db-1' });
    const cardTs = cardsIn(since)[0]!.result?.ts as string;
    await clickCard(cardTs, 'Run', { id: 'U0NOPERM', name: 'nope' }, 'alert-refused');
    const answer = await fake.waitForResponse('alert-refused');
    expect(answer.body.text).toContain('You need devices:execute');
    expect(await createAlertStore(rig().app.db.conn).get('db-1')).toMatchObject({ run_id: null, decisions: [] });
  });
});

describe('alerts posted in a channel', () => {
  /** Alertmanager's default Slack message, as the Events API delivers it, in channel `channel`. */
  const amEvent = (name: string, channel: string): { event: Record<string, unknown> } => {
    const body = fixture(name);
    return { ...body, event: { ...body.event, channel } };
  };

  it('answers Alertmanager’s message in its thread with the matching playbooks, once, however often Slack retries', async () => {
    const { fake, slack, publish } = rig();
    await publish({
      name: 'Node down by hand',
      variables: [{ name: 'deviceId' }],
      trigger: { alert_types: ['service_down'] },
      steps: [{ label: 'Look at the node' }],
    });
    const channel = 'C0MONITOR1';
    const firing = amEvent('alertmanager-slack-firing.json', channel);
    const ts = firing.event.ts as string;
    const since = fake.calls.length;
    expect((await slack.event(firing)).status).toBe(200);
    const card = await fake.waitForCall('chat.postMessage', (args) => args.channel === channel && args.thread_ts === ts, { since });
    expect(textOf(fake.message(channel, card.result?.ts as string))).toContain('Node down by hand');

    for (const retryNum of [1, 2, 3]) expect((await slack.event(firing, { retryNum, retryReason: 'http_timeout' })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    await rig().app.notifier?.idle();
    expect(fake.calls.slice(since).filter((c) => c.method === 'chat.postMessage' && c.args.thread_ts === ts)).toHaveLength(1);

    // Resolved: the same card says so.
    await slack.event(amEvent('alertmanager-slack-resolved.json', channel));
    await vi.waitFor(() => expect(textOf(fake.message(channel, card.result?.ts as string))).toContain('Resolved'));
  });

  it('ignores the same message from an app that is not a configured source, and stores nothing', async () => {
    const { fake, slack, publish } = rig();
    await publish({ name: 'Node down, spoof check', variables: [{ name: 'deviceId' }], trigger: { alert_types: ['service_down'] }, steps: [{ label: 'Look' }] });
    const channel = 'C0MONITOR3';
    const firing = amEvent('alertmanager-slack-firing.json', channel);
    const spoofed = { ...firing, event: { ...firing.event, ts: '1718009999.000100', bot_id: 'B0IMPOSTOR', bot_profile: { id: 'B0IMPOSTOR', app_id: 'A0IMPOSTOR', name: 'AlertManager' } } };
    const since = fake.calls.length;
    const stored = (await createAlertStore(rig().app.db.conn).recent(100)).length;
    expect((await slack.event(spoofed)).status).toBe(200);
    // The script's own bot is a source only in its channel, not here.
    const script = fixture('script-disk-alert.json');
    expect((await slack.event({ ...script, event: { ...script.event, channel, ts: '1718009999.000200' } })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    await rig().app.notifier?.idle();
    expect(fake.calls.slice(since).filter((c) => c.method === 'chat.postMessage')).toEqual([]);
    expect(await createAlertStore(rig().app.db.conn).recent(100)).toHaveLength(stored);
  });

  it('reads a plain-text alert through a configured rule, and ignores people and the bot itself', async () => {
    const { fake, slack, publish } = rig();
    await publish({
      name: 'Free disk by hand',
      variables: [{ name: 'deviceId' }],
      trigger: { alert_types: ['disk_full'] },
      steps: [{ label: 'Free some disk' }],
    });
    const channel = 'C0MONITOR2';
    const script = fixture('script-disk-alert.json');
    const since = fake.calls.length;
    await slack.event({ ...script, event: { ...script.event, channel } });
    const card = await fake.waitForCall('chat.postMessage', (args) => args.channel === channel && args.thread_ts === script.event.ts, { since });
    expect(textOf(fake.message(channel, card.result?.ts as string))).toContain('disk_full');

    const quiet = fake.calls.length;
    // A person typing the same words, and the bot's own message: not alerts.
    await slack.event({ ...script, event: { type: 'message', channel, user: 'U0ALICE', text: 'DISK ALERT on db-03: /var at 99%', ts: '1718006999.000100' } });
    await slack.event({ ...script, event: { ...script.event, channel, ts: '1718007000.000100', text: 'DISK ALERT on db-04: /var at 99%', bot_id: FAKE_BOT.botId } });
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.calls.slice(quiet).filter((c) => c.method === 'chat.postMessage')).toEqual([]);

    const reply = await slack.command({ text: 'alerts', response_url: fake.responseUrl('alerts-list') });
    expect(reply.status).toBe(200);
    const list = JSON.stringify((await fake.waitForResponse('alerts-list')).body);
    expect(list).toContain('disk_full');
    expect(list).toContain('db-02');
  });
});

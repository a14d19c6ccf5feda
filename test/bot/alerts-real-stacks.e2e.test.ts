// Alerts as real monitoring stacks send them, end to end: Alertmanager's own Slack bodies
// (rendered by tools/alert-fixtures) arriving as channel messages, and Grafana's webhook.
// A kube-prometheus-stack crash-loop names kube-state-metrics' address, never a machine to
// act on; a group that shrinks keeps one card to the end; Grafana's version 1 body is read.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it, vi } from 'vitest';

import { createAlertStore } from '../../src/models/alert-store.js';
import { DEFAULT_USER } from '../support/slack-requests.js';
import { renderedScenario, slackMessageOf } from '../alerts/support/rendered.js';
import { alertCards } from './support/alert-cards.js';
import { useBotRig } from './support/bot-rig.js';
import { textOf } from './support/run-message.js';

const TOKEN = 'alerts-token-for-the-real-stack-tests';
const CHANNEL = 'C0ALERTS2';
const RULES = fileURLToPath(new URL('../fixtures/alerts/alert-config.yaml', import.meta.url));
const rig = useBotRig({ config: { alertsToken: TOKEN, alertsChannel: CHANNEL, alertRulesFile: RULES } });
const { cardsIn, cardButtons, registerDevices } = alertCards(rig, { token: TOKEN, channel: CHANNEL });

/** A Slack body Alertmanager posted, as the Events API delivers it in `channel` (its bot is a configured source). */
function eventOf(scenario: string, step: number, channel: string, ts: string) {
  const notification = renderedScenario(scenario).notifications[step]!;
  return {
    token: 'unused',
    team_id: 'T0A1B2C3D',
    api_app_id: 'A0RUNBOOK1',
    type: 'event_callback',
    event_id: `Ev${scenario.replace(/\W/g, '').slice(0, 12)}${step}`,
    event_time: 1718006432,
    event: { ...slackMessageOf(notification.slack, ts), channel, event_ts: ts, channel_type: 'channel' },
  };
}

const cardsInThread = (channel: string, ts: string, since: number) =>
  rig().fake.calls.slice(since).filter((c) => c.method === 'chat.postMessage' && c.args.channel === channel && c.args.thread_ts === ts);

describe('a kube-prometheus-stack crash loop (group_by: [namespace])', () => {
  it('is read as KubePodCrashLooping, names no machine, and neither runs nor pre-fills a device playbook on kube-state-metrics’ address', async () => {
    const { fake, slack, publish } = rig();
    await publish({
      name: 'Restart a crash-looping host',
      variables: [{ name: 'deviceId', required: true, default: 'web-01' }],
      trigger: { alert_types: ['kube_pod_crash_looping'], auto_execute: true },
      steps: [{ label: 'Restart things on {{deviceId}}' }],
    });
    await registerDevices('web-01', '10.244.1.8');
    const channel = 'C0KUBE0001';
    const ts = '1718006500.000100';
    const since = fake.calls.length;
    expect((await slack.event(eventOf('kube-prometheus-stack', 0, channel, ts))).status).toBe(200);
    const card = await fake.waitForCall('chat.postMessage', (args) => args.channel === channel && args.thread_ts === ts, { since });
    const cardTs = card.result?.ts as string;
    await new Promise((r) => setTimeout(r, 300));
    await rig().app.notifier?.idle();

    const text = textOf(fake.message(channel, cardTs));
    expect(text).toContain('*kube_pod_crash_looping* · medium');
    expect(text).not.toContain('on 10.244.1.7');
    expect(text).toContain('⚠️ Target unknown: the title names 10.244.1.7:8080, which is no known device. Run asks which device');
    expect(text).toContain('the title value “KubePodCrashLooping” is an alert type a published playbook triggers on');
    expect(text).toContain('asks for: `deviceId`');
    // auto_execute did not fire: nothing was started, the card still offers Run.
    const [stored] = (await createAlertStore(rig().app.db.conn).recent(50)).filter((a) => a.type === 'kube_pod_crash_looping');
    expect(stored).toMatchObject({ run_id: null, decisions: [], inferred: [expect.stringContaining('KubePodCrashLooping'), 'severity medium: from the title value “warning”'] });
    expect(cardButtons(fake.message(channel, cardTs)).map((b) => b.label)).toEqual(['Run', 'Dismiss']);

    // Run asks for the device, its default included, and offers no address from the alert.
    const opened = fake.calls.length;
    await alertCards(rig, { token: TOKEN, channel }).clickCard(cardTs, 'Run', DEFAULT_USER, 'kube-run');
    const view = (await fake.waitForCall('views.open', () => true, { since: opened })).result?.view as { blocks: unknown[] };
    const blocks = JSON.stringify(view.blocks);
    expect(blocks).toContain('"block_id":"var:deviceId"');
    expect(blocks).not.toContain('10.244.1.7');
  });
});

describe('a group that shrinks while it fires (group_by: [alertname])', () => {
  it('keeps one card from [FIRING:3] through [FIRING:1] to [RESOLVED], which closes it', async () => {
    const { fake, slack, publish } = rig();
    await publish({ name: 'Node down, look', variables: [{ name: 'deviceId' }], trigger: { alert_types: ['service_down'] }, steps: [{ label: 'Look at {{deviceId}}' }] });
    await registerDevices('web-01', 'web-02', 'db-01');
    const channel = 'C0SHRINK01';
    const since = fake.calls.length;
    const tss = ['1718006600.000100', '1718006660.000100', '1718006720.000100'];
    // Alertmanager sends them a group_interval apart: each is handled before the next comes.
    expect((await slack.event(eventOf('by-alertname', 0, channel, tss[0]!))).status).toBe(200);
    await vi.waitFor(() => expect(cardsInThread(channel, tss[0]!, since)).toHaveLength(1));
    const cardTs = cardsInThread(channel, tss[0]!, since)[0]!.result?.ts as string;
    expect(textOf(fake.message(channel, cardTs))).toContain('Target unknown');
    expect((await slack.event(eventOf('by-alertname', 1, channel, tss[1]!))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    await rig().app.notifier?.idle();
    expect(textOf(fake.message(channel, cardTs))).not.toContain('Resolved');
    expect((await slack.event(eventOf('by-alertname', 2, channel, tss[2]!))).status).toBe(200);
    await vi.waitFor(() => expect(textOf(fake.message(channel, cardTs))).toContain('✅ Resolved'));
    await new Promise((r) => setTimeout(r, 300));
    await rig().app.notifier?.idle();
    // One card in all: none under the [FIRING:1] or the [RESOLVED] message.
    const posts = fake.calls.slice(since).filter((c) => c.method === 'chat.postMessage' && c.args.channel === channel);
    expect(posts.map((c) => [c.args.thread_ts, String(c.args.text).slice(0, 80)])).toEqual([[tss[0], 'Alert service_down: 1 matching playbook']]);
    const stored = (await createAlertStore(rig().app.db.conn).recent(50)).filter((a) => a.channel === channel);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ status: 'resolved', type: 'service_down' });
  });
});

describe('Grafana’s webhook contact point', () => {
  it('takes a version 1 body at /alerts/grafana and posts a card for it', async () => {
    const { fake, publish } = rig();
    await publish({ name: 'Relieve memory, Grafana', variables: [{ name: 'deviceId' }], trigger: { alert_types: ['high_memory'] }, steps: [{ label: 'Free memory' }] });
    const body = readFileSync(new URL('../fixtures/alerts/public/zulip-grafana-alert-values-v11.json', import.meta.url), 'utf8');
    const since = fake.calls.length;
    const res = await fetch(`http://127.0.0.1:${rig().app.port}/alerts/grafana`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ alerts: [expect.objectContaining({ type: 'high_memory', status: 'firing', outcome: 'new' })] });
    await vi.waitFor(() => expect(cardsIn(since)).toHaveLength(1));
    const text = textOf(fake.message(CHANNEL, cardsIn(since)[0]!.result?.ts as string));
    expect(text).toContain('From Grafana');
    expect(text).toContain('Relieve memory, Grafana');
    expect(text).toContain('⚠️ Target unknown: the alert names no machine');
  });
});

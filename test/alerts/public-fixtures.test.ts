// Webhook bodies and a Slack message that public projects committed as test data for their
// own receivers (test/fixtures/alerts/public/SOURCES.md says where each comes from): the
// bot reads each, with the machine a playbook may act on checked against known devices.
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { readAlert, resolveTarget, type AlertKnowledge } from '../../src/alerts/infer/index.js';
import { parseAlertmanagerWebhook, recognizeSlackMessage } from '../../src/alerts/parse/index.js';
import { slackMessageOf } from './support/rendered.js';

const publicBody = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/alerts/public/${name}`, import.meta.url), 'utf8'));

const KNOWN: AlertKnowledge = { alertTypes: ['high_cpu', 'high_memory'], devices: new Set(['andromeda', 'badhost.example.com']) };
const ASKED = 'unknown, asked';

const readings = (name: string) => {
  const parsed = parseAlertmanagerWebhook(publicBody(name));
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.alerts.map((alert) => ({
    source: alert.source,
    type: alert.type,
    severity: alert.severity,
    status: alert.status,
    host: resolveTarget(alert, KNOWN).device ?? ASKED,
  }));
};

describe('public webhook bodies', () => {
  it.each<[string, Array<Record<string, string>>]>([
    [
      // The type table reads any "High CPU…" name as high_cpu, temperature included.
      'zulip-alertmanager-alert.json',
      [
        { source: 'alertmanager', type: 'high_cpu', severity: 'critical', status: 'firing', host: 'andromeda' },
        { source: 'alertmanager', type: 'high_cpu', severity: 'critical', status: 'firing', host: 'andromeda' },
      ],
    ],
    // No per-alert status in this older body: the group's stands for it.
    ['prometheus-msteams-prom-post-request.json', [{ source: 'alertmanager', type: 'high_memory', severity: 'medium', status: 'firing', host: ASKED }]],
    [
      'zulip-grafana-alert-9-mixed.json',
      [
        { source: 'grafana', type: 'test_alert', severity: 'medium', status: 'resolved', host: 'badhost.example.com' },
        { source: 'grafana', type: 'test_alert', severity: 'medium', status: 'resolved', host: ASKED },
        { source: 'grafana', type: 'second_webhook_test', severity: 'medium', status: 'firing', host: ASKED },
      ],
    ],
    ['zulip-grafana-alert-values-v11.json', [{ source: 'grafana', type: 'high_memory', severity: 'medium', status: 'firing', host: ASKED }]],
    ['ntfy-grafana-resolved.json', [{ source: 'grafana', type: 'load_avg_15m_too_high', severity: 'medium', status: 'resolved', host: ASKED }]],
  ])('%s', (name, expected) => {
    expect(readings(name)).toEqual(expected);
  });

  it('keeps each sender’s own fingerprint, so a resolved alert finds its firing one', () => {
    const parsed = parseAlertmanagerWebhook(publicBody('ntfy-grafana-resolved.json'));
    expect(parsed.ok && parsed.alerts.map((a) => a.fingerprint)).toEqual([(publicBody('ntfy-grafana-resolved.json') as { alerts: { fingerprint: string }[] }).alerts[0]!.fingerprint]);
  });
});

describe('a public Grafana Slack message', () => {
  it('is read from its listed labels, not its title', () => {
    const alerts = recognizeSlackMessage(slackMessageOf(publicBody('gotify-slack-webhook-grafana-slack-firing.json') as never)).map((a) => readAlert(a, KNOWN));
    expect(alerts).toMatchObject([{ recognizer: 'grafana-slack', type: 'test_alert', status: 'firing', title_values: null, inferred: [], labels: { alertname: 'TestAlert', instance: 'Grafana' } }]);
    expect(resolveTarget(alerts[0]!, KNOWN)).toEqual({ device: null, reason: 'label instance=Grafana is the address Prometheus scraped, not a known device' });
  });
});

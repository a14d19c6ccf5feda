import { describe, expect, it } from 'vitest';

import type { Alert } from '../../../src/alerts/alert.js';
import { recognizeSlackMessage } from '../../../src/alerts/parse/index.js';
import { fixture, fixtureRules, slackEvent } from './support/fixtures.js';

const rules = fixtureRules();

/** The same Slack message with its first attachment changed. */
function withAttachment(name: string, change: Record<string, unknown>): Record<string, unknown> {
  const event = slackEvent(name);
  const [first] = event.attachments as Record<string, unknown>[];
  return { ...event, attachments: [{ ...first, ...change }] };
}

const INSTANCE_DOWN_GROUP: Omit<Alert, 'status'> = {
  source: 'slack',
  recognizer: 'alertmanager-slack',
  type: 'service_down',
  severity: 'critical',
  host: null,
  labels: { alertname: 'InstanceDown', severity: 'critical' },
  summary: 'InstanceDown (node critical)',
  // The receiver and the group part: the same for every notification of the group.
  fingerprint: '9685f27547de017643989c47de44ab21',
  started_at: null,
  title_values: { group: ['InstanceDown'], common: ['node', 'critical'] },
  inferred: [
    'type service_down: read from the title value “InstanceDown”, the one shaped like an alert name (a Slack title carries label values, not their names)',
    'severity critical: from the title value “critical”',
  ],
};

const HIGH_CPU: Omit<Alert, 'status'> = {
  source: 'slack',
  recognizer: 'grafana-slack',
  type: 'high_cpu',
  severity: 'critical',
  host: 'web-01',
  labels: { alertname: 'HighCPU', grafana_folder: 'Infrastructure', instance: 'web-01:9100', severity: 'critical' },
  summary: 'CPU usage above 90% on web-01',
  fingerprint: 'b7aa73de57b029b4957fffc2cd970a5d',
  started_at: null,
  title_values: null,
  inferred: [],
};

describe("Alertmanager's default Slack message", () => {
  it('reads the firing group as one alert, from its title alone (the default text is empty)', () => {
    expect(recognizeSlackMessage(slackEvent('alertmanager-slack-firing.json'), rules)).toEqual([{ ...INSTANCE_DOWN_GROUP, status: 'firing' }]);
  });

  it('reads the resolved notification as the same alert, resolved', () => {
    expect(recognizeSlackMessage(slackEvent('alertmanager-slack-resolved.json'), rules)).toEqual([{ ...INSTANCE_DOWN_GROUP, status: 'resolved' }]);
  });

  it('gives one alert per listed alert when the text template lists their labels', () => {
    const alerts = recognizeSlackMessage(slackEvent('alertmanager-slack-listed-firing.json'), rules);
    expect(alerts).toEqual([
      {
        ...INSTANCE_DOWN_GROUP,
        status: 'firing',
        host: 'web-01',
        labels: { alertname: 'InstanceDown', instance: 'web-01:9100', job: 'node', severity: 'critical' },
        summary: 'Instance web-01:9100 down',
        fingerprint: '6cb1bcc612f0f710243884dbab14b1b9',
        title_values: null,
        inferred: [],
      },
      {
        ...INSTANCE_DOWN_GROUP,
        status: 'firing',
        host: 'web-02',
        labels: { alertname: 'InstanceDown', instance: 'web-02:9100', job: 'node', severity: 'critical' },
        summary: 'Instance web-02:9100 down',
        fingerprint: '0f0f7cb5c608d6938a5d10fd84939093',
        title_values: null,
        inferred: [],
      },
    ]);
  });

  it('shows the one title value shaped like host:port as the host, without taking it for a label', () => {
    const message = withAttachment('alertmanager-slack-firing.json', { title: '[FIRING:1] InstanceDown (db-02:9100 node warning)' });
    const [alert] = recognizeSlackMessage(message, rules);
    expect(alert).toMatchObject({ host: 'db-02', severity: 'medium', labels: { alertname: 'InstanceDown', severity: 'warning' } });
    expect(alert?.fingerprint).toBe(INSTANCE_DOWN_GROUP.fingerprint);
  });

  it('falls back to the default fallback text when a custom title hides the subject', () => {
    const message = withAttachment('alertmanager-slack-firing.json', { title: 'Production alerts' });
    expect(recognizeSlackMessage(message, rules)).toEqual([{ ...INSTANCE_DOWN_GROUP, status: 'firing' }]);
  });
});

describe("Grafana's Slack message", () => {
  it('reads a unified-alerting firing notification from its Labels and Annotations', () => {
    expect(recognizeSlackMessage(slackEvent('grafana-slack-firing.json'), rules)).toEqual([{ ...HIGH_CPU, status: 'firing' }]);
  });

  it('reads the resolved notification as the same alert, resolved', () => {
    expect(recognizeSlackMessage(slackEvent('grafana-slack-resolved.json'), rules)).toEqual([{ ...HIGH_CPU, status: 'resolved' }]);
  });

  it('gives each alert the status of its section when a notification mixes firing and resolved', () => {
    const firing = (slackEvent('grafana-slack-firing.json').attachments as { text: string }[])[0]?.text ?? '';
    const resolved = (slackEvent('grafana-slack-resolved.json').attachments as { text: string }[])[0]?.text ?? '';
    const message = withAttachment('grafana-slack-firing.json', {
      title: '[FIRING:1, RESOLVED:1] HighCPU Infrastructure (critical)',
      text: `${firing.replaceAll('web-01', 'web-02')}\n\n${resolved}`,
    });
    const alerts = recognizeSlackMessage(message, rules);
    expect(alerts.map((a) => [a.host, a.status])).toEqual([['web-02', 'firing'], ['web-01', 'resolved']]);
    expect(alerts[1]?.fingerprint).toBe(HIGH_CPU.fingerprint);
  });

  it('reads a legacy dashboard alert by its rule name', () => {
    expect(recognizeSlackMessage(slackEvent('grafana-legacy-slack-alerting.json'), rules)).toEqual([
      {
        source: 'slack',
        recognizer: 'grafana-slack',
        type: 'high_cpu',
        severity: 'medium',
        status: 'firing',
        host: null,
        labels: { alertname: 'High CPU' },
        summary: 'CPU above 90% on the web servers',
        fingerprint: '721fd3030f5d3cdfd995d0e5cfd92cf4',
        started_at: null,
        title_values: null,
        inferred: [],
      },
    ]);
  });

  it('reads the legacy [OK] notification as the same alert, resolved', () => {
    const ok = withAttachment('grafana-legacy-slack-alerting.json', { title: '[OK] High CPU', fallback: '[OK] High CPU', text: '', color: '36a64f' });
    expect(recognizeSlackMessage(ok, rules)).toMatchObject([{ status: 'resolved', summary: 'High CPU', fingerprint: '721fd3030f5d3cdfd995d0e5cfd92cf4' }]);
  });

  it('does not take a bracketed [OK] title from another app for a legacy Grafana alert', () => {
    const other = withAttachment('grafana-legacy-slack-alerting.json', { title: '[OK] Nightly backup', footer: 'backup-bot' });
    expect(recognizeSlackMessage(other, [])).toEqual([]);
  });
});

describe('a plain text alert matched by a configured rule', () => {
  it('reads type, severity, host and status from the rule and its captures', () => {
    expect(recognizeSlackMessage(slackEvent('script-disk-alert.json'), rules)).toEqual([
      {
        source: 'slack',
        recognizer: 'rule:diskwatch',
        type: 'disk_full',
        severity: 'high',
        status: 'firing',
        host: 'db-02',
        labels: { state: 'ALERT', host: 'db-02', mount: '/var', used: '97' },
        summary: 'DISK ALERT on db-02: /var at 97%',
        fingerprint: 'a13686d914c3f389049b031989051b0c',
        started_at: null,
        title_values: null,
        inferred: [],
      },
    ]);
  });

  it('reads the recovery post as the same alert, resolved, though the figure changed', () => {
    const recovery = { ...slackEvent('script-disk-alert.json'), text: 'DISK OK on db-02: /var at 41%' };
    expect(recognizeSlackMessage(recovery, rules)).toMatchObject([{ status: 'resolved', fingerprint: 'a13686d914c3f389049b031989051b0c' }]);
  });

  it('is not tried when a built-in recogniser already read the message', () => {
    const message = { ...slackEvent('alertmanager-slack-firing.json'), text: 'DISK ALERT on db-02: /var at 97%' };
    expect(recognizeSlackMessage(message, rules).map((a) => a.recognizer)).toEqual(['alertmanager-slack']);
  });
});

describe('messages that are not alerts', () => {
  const notAlerts = Object.entries(fixture('not-alerts.json') as Record<string, unknown>);
  const self = { botId: 'B0RUNBOOK1', appId: 'A0RUNBOOK1', userId: 'U0RUNBOOK1' };

  it.each(notAlerts)('gives nothing for %s', (_name, message) => {
    expect(recognizeSlackMessage(message, rules, { self })).toEqual([]);
  });

  it("would read the bot's own card as an alert if it did not know its own ids", () => {
    const own = (fixture('not-alerts.json') as Record<string, unknown>)["the bot's own suggestion card"];
    expect(recognizeSlackMessage(own, rules)).toHaveLength(1);
  });

  it('ignores an alert-shaped message when it is an edit, not a new post', () => {
    const edit = { ...slackEvent('alertmanager-slack-firing.json'), subtype: 'message_changed' };
    expect(recognizeSlackMessage(edit, rules)).toEqual([]);
  });
});

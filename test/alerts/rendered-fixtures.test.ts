// Every notification Alertmanager's own notifiers rendered (tools/alert-fixtures), read the
// way the bot reads it — the Slack message through the recognisers and the bot's knowledge,
// the webhook body through its parser — against what a person would say it is: type,
// severity, the machine a playbook may act on (or "unknown, asked"), status, and which
// incident (card) it belongs to.
import { describe, expect, it } from 'vitest';

import type { Alert } from '../../src/alerts/alert.js';
import { readAlert, resolveTarget, type AlertKnowledge } from '../../src/alerts/infer/index.js';
import { parseAlertmanagerWebhook, recognizeSlackMessage } from '../../src/alerts/parse/index.js';
import { renderedScenario, slackMessageOf } from './support/rendered.js';

/** The types the published playbooks of this table trigger on, and the registered devices. */
const KNOWN: AlertKnowledge = {
  alertTypes: ['service_down', 'disk_full', 'high_cpu', 'high_memory', 'icmp_ping_failed', 'kube_pod_crash_looping'],
  devices: new Set(['web-01', 'web-02', 'db-01', 'ip-10-0-1-5']),
};
const ASKED = 'unknown, asked';

interface Reading {
  type: string;
  severity: string;
  host: string;
  status: string;
  /** Notifications with the same incident label must share one fingerprint, and no other. */
  incident: string;
}

const read = (alert: Alert, knowledge = KNOWN) => {
  const known = readAlert(alert, knowledge);
  return { alert: known, host: resolveTarget(known, knowledge).device ?? ASKED };
};

type Observed = Omit<Reading, 'incident'> & { fingerprint: string };

const observe = (raw: Alert, knowledge = KNOWN): Observed => {
  const { alert, host } = read(raw, knowledge);
  return { type: alert.type, severity: alert.severity, host, status: alert.status, fingerprint: alert.fingerprint };
};

function slackReadings(scenario: string, knowledge = KNOWN): Observed[] {
  return renderedScenario(scenario).notifications.map((n, i) => {
    const alerts = recognizeSlackMessage(slackMessageOf(n.slack, `1718006432.00${i}`));
    expect(alerts, `${scenario} / ${n.step}: one alert for the group`).toHaveLength(1);
    return observe(alerts[0]!, knowledge);
  });
}

function webhookReadings(scenario: string): Observed[][] {
  return renderedScenario(scenario).notifications.map((n) => {
    const parsed = parseAlertmanagerWebhook(n.webhook);
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    return parsed.alerts.map((a) => observe(a));
  });
}

/** Same label ⇔ same fingerprint. */
function expectIncidents(fingerprints: string[], labels: string[]): void {
  for (let i = 0; i < labels.length; i += 1) {
    for (let j = i + 1; j < labels.length; j += 1) {
      expect(fingerprints[i] === fingerprints[j], `notifications ${i} and ${j}`).toBe(labels[i] === labels[j]);
    }
  }
}

const row = (type: string, severity: string, host: string, status: string, incident: string): Reading => ({ type, severity, host, status, incident });

// Alertmanager's default Slack message: a title of label values, an empty text.
const SLACK: Record<string, Reading[]> = {
  'no-grouping': [
    // One group for the whole route: the title has no group part and only the shared job.
    row('unknown', 'medium', ASKED, 'firing', 'route'),
    row('unknown', 'medium', ASKED, 'resolved', 'route'),
  ],
  'by-alertname': [
    row('service_down', 'critical', ASKED, 'firing', 'InstanceDown'),
    row('service_down', 'critical', ASKED, 'firing', 'InstanceDown'),
    // Only web-01 is left in the group: its address is a known device.
    row('service_down', 'critical', 'web-01', 'resolved', 'InstanceDown'),
  ],
  'by-alertname-cluster-service': [
    row('high_error_rate', 'high', ASKED, 'firing', 'checkout'),
    row('high_error_rate', 'high', ASKED, 'resolved', 'checkout'),
  ],
  'by-everything': [
    row('disk_full', 'medium', 'web-01', 'firing', 'sda1'),
    row('disk_full', 'medium', 'web-01', 'resolved', 'sda1'),
  ],
  'exported-instance': [
    row('backup_failed', 'high', 'db-01', 'firing', 'backup'),
    row('backup_failed', 'high', 'db-01', 'resolved', 'backup'),
  ],
  'host-label': [
    row('disk_full', 'critical', 'web-02', 'firing', 'disk'),
    row('disk_full', 'critical', 'web-02', 'resolved', 'disk'),
  ],
  'kube-prometheus-stack': [
    // group_by: [namespace]: the title starts with `shop`; the alert name starts the common part.
    row('kube_pod_crash_looping', 'medium', ASKED, 'firing', 'shop'),
    row('kube_pod_crash_looping', 'medium', ASKED, 'resolved', 'shop'),
  ],
  'kube-prometheus-stack-node': [
    row('kube_node_not_ready', 'medium', 'ip-10-0-1-5', 'firing', 'monitoring'),
    row('kube_deployment_replicas_mismatch', 'medium', ASKED, 'firing', 'shop'),
    row('kube_node_not_ready', 'medium', 'ip-10-0-1-5', 'resolved', 'monitoring'),
    row('kube_deployment_replicas_mismatch', 'medium', ASKED, 'resolved', 'shop'),
  ],
  'names-with-spaces': [
    row('icmp_ping_failed', 'critical', 'web-01', 'firing', 'icmp'),
    row('icmp_ping_failed', 'critical', 'web-01', 'resolved', 'icmp'),
  ],
};

// Alertmanager's webhook: every alert with its labels named and its own fingerprint (each
// notification's alerts listed by target, then fingerprint).
const WEBHOOK: Record<string, Reading[][]> = {
  'no-grouping': [
    [row('high_memory', 'critical', 'db-01', 'firing', 'mem'), row('high_cpu', 'medium', 'web-01', 'firing', 'cpu')],
    [row('high_memory', 'critical', 'db-01', 'resolved', 'mem'), row('high_cpu', 'medium', 'web-01', 'resolved', 'cpu')],
  ],
  'by-alertname': [
    [row('service_down', 'critical', 'db-01', 'firing', 'db'), row('service_down', 'critical', 'web-01', 'firing', 'w1'), row('service_down', 'critical', 'web-02', 'firing', 'w2')],
    [row('service_down', 'critical', 'db-01', 'resolved', 'db'), row('service_down', 'critical', 'web-01', 'firing', 'w1'), row('service_down', 'critical', 'web-02', 'resolved', 'w2')],
    [row('service_down', 'critical', 'web-01', 'resolved', 'w1')],
  ],
  'by-alertname-cluster-service': [
    [row('high_error_rate', 'high', ASKED, 'firing', 'p1'), row('high_error_rate', 'high', ASKED, 'firing', 'p2')],
    [row('high_error_rate', 'high', ASKED, 'resolved', 'p1'), row('high_error_rate', 'high', ASKED, 'resolved', 'p2')],
  ],
  'by-everything': [[row('disk_full', 'medium', 'web-01', 'firing', 'sda1')], [row('disk_full', 'medium', 'web-01', 'resolved', 'sda1')]],
  // The pushgateway's own address is `instance`; `exported_instance` names the machine.
  'exported-instance': [[row('backup_failed', 'high', 'db-01', 'firing', 'b')], [row('backup_failed', 'high', 'db-01', 'resolved', 'b')]],
  'host-label': [[row('disk_full', 'critical', 'web-02', 'firing', 'd')], [row('disk_full', 'critical', 'web-02', 'resolved', 'd')]],
  // `instance` is kube-state-metrics' own address: never a target.
  'kube-prometheus-stack': [[row('kube_pod_crash_looping', 'medium', ASKED, 'firing', 'p')], [row('kube_pod_crash_looping', 'medium', ASKED, 'resolved', 'p')]],
  'kube-prometheus-stack-node': [
    [row('kube_node_not_ready', 'medium', 'ip-10-0-1-5', 'firing', 'node')],
    [row('kube_deployment_replicas_mismatch', 'medium', ASKED, 'firing', 'deploy')],
    [row('kube_node_not_ready', 'medium', 'ip-10-0-1-5', 'resolved', 'node')],
    [row('kube_deployment_replicas_mismatch', 'medium', ASKED, 'resolved', 'deploy')],
  ],
  'names-with-spaces': [[row('icmp_ping_failed', 'critical', 'web-01', 'firing', 'i')], [row('icmp_ping_failed', 'critical', 'web-01', 'resolved', 'i')]],
};

describe('Alertmanager’s Slack messages as its notifier renders them', () => {
  it.each(Object.entries(SLACK))('%s: type, severity, target, status and incident of every notification', (scenario, expected) => {
    const readings = slackReadings(scenario);
    expect(readings.map(({ fingerprint: _f, ...r }) => r)).toEqual(expected.map(({ incident: _i, ...r }) => r));
    expectIncidents(
      readings.map((r) => r.fingerprint),
      expected.map((r) => r.incident),
    );
  });

  it('reads the type from the title’s shape when no published playbook knows it, and says so', () => {
    const bare: AlertKnowledge = { alertTypes: [], devices: KNOWN.devices };
    expect(slackReadings('kube-prometheus-stack', bare).map((r) => r.type)).toEqual(['kube_pod_crash_looping', 'kube_pod_crash_looping']);
    // Without a playbook naming it, a name with spaces is cut at its first word: only the type list can tell.
    expect(slackReadings('names-with-spaces', bare).map((r) => r.type)).toEqual(['icmp', 'icmp']);
    const [message] = renderedScenario('kube-prometheus-stack').notifications;
    const alert = readAlert(recognizeSlackMessage(slackMessageOf(message!.slack))[0]!, bare);
    expect(alert.inferred[0]).toMatch(/^type kube_pod_crash_looping: read from the title value “KubePodCrashLooping”, the one shaped like an alert name/);
  });

  it('says on the alert what it inferred from the title, and why the target is unknown', () => {
    const [message] = renderedScenario('kube-prometheus-stack').notifications;
    const { alert } = read(recognizeSlackMessage(slackMessageOf(message!.slack))[0]!);
    expect(alert.inferred).toEqual([
      'type kube_pod_crash_looping: the title value “KubePodCrashLooping” is an alert type a published playbook triggers on',
      'severity medium: from the title value “warning”',
    ]);
    expect(resolveTarget(alert, KNOWN).reason).toBe('the title names 10.244.1.7:8080, which is no known device');
  });
});

describe('Alertmanager’s webhook bodies as its notifier renders them', () => {
  it.each(Object.entries(WEBHOOK))('%s: type, severity, target, status and identity of every alert', (scenario, expected) => {
    const readings = webhookReadings(scenario);
    const sorted = readings.map((alerts) => [...alerts].sort((a, b) => a.host.localeCompare(b.host) || a.fingerprint.localeCompare(b.fingerprint)));
    expect(sorted.map((alerts) => alerts.map(({ fingerprint: _f, ...r }) => r))).toEqual(expected.map((alerts) => alerts.map(({ incident: _i, ...r }) => r)));
    expectIncidents(
      sorted.flat().map((r) => r.fingerprint),
      expected.flat().map((r) => r.incident),
    );
  });

  it('says why kube-state-metrics’ address is not a target', () => {
    const [message] = renderedScenario('kube-prometheus-stack').notifications;
    const parsed = parseAlertmanagerWebhook(message!.webhook);
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    expect(resolveTarget(parsed.alerts[0]!, KNOWN)).toEqual({
      device: null,
      reason: 'label instance=10.244.1.7:8080 is the address Prometheus scraped (job kube-state-metrics), not a known device',
    });
  });
});

// Grafana's Slack notifications, two generations:
// - Unified alerting (grafana/alerting receivers/slack/slack.go, templates/default_template.go):
//   one attachment, title `default.title` (the `[FIRING:n]` subject, with `, RESOLVED:n` when
//   mixed), text `default.message` (`**Firing**` / `**Resolved**` then per alert `Value:`,
//   `Labels:`, `Annotations:`, `Source:`...), colour #D63232 / #36a64f, footer `Grafana v<version>`,
//   title_link `<root>/alerting/list`.
// - Legacy dashboard alerting (grafana/grafana pkg/services/alerting/notifiers/slack.go):
//   title `[<state>] <rule name>` with state Alerting, OK, No Data..., text the rule's message,
//   fields the matched series, the same footer.
import type { Alert, AlertStatus } from '../alert.js';
import { buildAlert } from './build-alert.js';
import { plainText, type SlackAttachment } from './slack-message.js';
import { alertsFromSubject } from './subject-alerts.js';
import { parseSubjectTitle } from './subject-title.js';

export const GRAFANA_SLACK = 'grafana-slack';

export function isGrafanaAttachment(attachment: SlackAttachment): boolean {
  return (
    /^Grafana\b/.test(attachment.footer ?? '') ||
    /\/alerting\/list\/?$/.test(attachment.title_link ?? '') ||
    /^\s*\*\*(Firing|Resolved)\*\*/.test(attachment.text ?? '')
  );
}

// "No Data" pages too (the series stopped): it fires until the rule returns to OK.
// Pending, Paused and Unknown are states Grafana shows but does not page on.
const LEGACY_STATES: Record<string, AlertStatus> = { Alerting: 'firing', 'No Data': 'firing', OK: 'resolved' };
const LEGACY_TITLE = /^\[(Alerting|No Data|OK)\] (.+)$/;

function recognizeLegacy(attachment: SlackAttachment): Alert[] | undefined {
  const match = LEGACY_TITLE.exec(plainText(attachment.title).trim());
  const state = match?.[1];
  const ruleName = match?.[2]?.trim();
  if (!state || !ruleName || !/^Grafana\b/.test(attachment.footer ?? '')) return undefined;
  // Legacy alerting keeps one state per rule, so the rule name alone identifies the alert.
  // The matched series (fields) change every evaluation and say nothing reliable about a host.
  return [
    buildAlert({
      source: 'slack',
      recognizer: GRAFANA_SLACK,
      status: LEGACY_STATES[state] ?? 'firing',
      labels: { alertname: ruleName },
      annotations: { message: plainText(attachment.text) },
      title: ruleName,
    }),
  ];
}

export function recognizeGrafanaAttachment(attachment: SlackAttachment): Alert[] | undefined {
  if (!isGrafanaAttachment(attachment)) return undefined;
  const subject = parseSubjectTitle(plainText(attachment.title) || plainText(attachment.fallback));
  if (subject) return alertsFromSubject(subject, plainText(attachment.text), GRAFANA_SLACK, attachment.title_link);
  return recognizeLegacy(attachment);
}

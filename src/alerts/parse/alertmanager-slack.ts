// Alertmanager's Slack notifier with its defaults (prometheus/alertmanager notify/slack/slack.go,
// config DefaultSlackConfig, template/default.tmpl): one attachment whose title is
// `slack.default.title` = `[FIRING:2] InstanceDown (node critical)`, title_link
// `<externalURL>/#/alerts?receiver=<receiver>`, fallback `<title> | <title_link>`, colour
// `danger` while firing and `good` once resolved, and an empty text (`slack.default.text`).
// A user's `text:` template that lists labels lets us tell the alerts apart.
import type { Alert } from '../alert.js';
import { isGrafanaAttachment } from './grafana-slack.js';
import { plainText, type SlackAttachment } from './slack-message.js';
import { alertsFromSubject } from './subject-alerts.js';
import { parseSubjectTitle } from './subject-title.js';

export const ALERTMANAGER_SLACK = 'alertmanager-slack';

export function recognizeAlertmanagerAttachment(attachment: SlackAttachment): Alert[] | undefined {
  // Grafana renders the same `[FIRING:n]` subject; its own recogniser reads it better.
  if (isGrafanaAttachment(attachment)) return undefined;
  // A custom title template may still leave the default fallback: `<subject> | <link>`.
  const subject = parseSubjectTitle(plainText(attachment.title)) ?? parseSubjectTitle(plainText(attachment.fallback).split(' | ')[0]);
  if (!subject) return undefined;
  return alertsFromSubject(subject, plainText(attachment.text), ALERTMANAGER_SLACK, attachment.title_link);
}

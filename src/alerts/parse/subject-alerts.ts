// Turns a `[FIRING:n] ...` notification (Alertmanager's or Grafana's) into Alerts: one per
// alert when its text lists them with their labels, else one for the whole group, known by
// its title's values alone (read against what the bot knows by readAlert).
import type { Alert } from '../alert.js';
import { NO_KNOWLEDGE, readAlert, readTitle } from '../infer/index.js';
import { parseAlertList } from './alert-list-text.js';
import { buildAlert } from './build-alert.js';
import { hostOf, toLabels } from './normalize.js';
import type { SubjectTitle } from './subject-title.js';

/** `receiver=slack-ops` in Alertmanager's title link: which route the group belongs to. */
function receiverOf(link: string | undefined): string {
  const match = /[?&]receiver=([^&#]*)/.exec(link ?? '');
  if (!match?.[1]) return '';
  try {
    return decodeURIComponent(match[1].replace(/\+/g, ' '));
  } catch {
    return match[1];
  }
}

export function alertsFromSubject(subject: SubjectTitle, text: string, recognizer: string, link?: string): Alert[] {
  const listed = parseAlertList(text);
  if (listed.length > 0) {
    // A template may leave alertname out of the list; the title still names the group.
    const groupName = readTitle(subject, NO_KNOWLEDGE).labels.alertname;
    return listed.map((alert) => {
      const labels = alert.labels.alertname || !groupName ? alert.labels : toLabels([['alertname', groupName], ...Object.entries(alert.labels)]);
      const host = hostOf(labels);
      return buildAlert({
        source: 'slack',
        recognizer,
        status: alert.status ?? subject.status,
        labels,
        annotations: alert.annotations,
        title: host ? `${labels.alertname ?? subject.rest} on ${host}` : subject.rest,
      });
    });
  }
  return [readAlert(titleAlert(subject, recognizer, link), NO_KNOWLEDGE)];
}

/**
 * The group as one alert. Alertmanager keys a group by its route and its group labels' values
 * and drops resolved alerts after each notification, so the common part of the title changes
 * as the group shrinks (`[FIRING:3] InstanceDown (critical)` … `[RESOLVED] InstanceDown
 * (web-01:9100 node critical)`); the receiver and the group part do not, and make its identity.
 */
function titleAlert(subject: SubjectTitle, recognizer: string, link: string | undefined): Alert {
  return buildAlert({
    source: 'slack',
    recognizer,
    status: subject.status,
    labels: {},
    title: subject.rest,
    fingerprintLabels: { receiver: receiverOf(link), group: subject.groupText },
    titleValues: { group: subject.group, common: subject.common },
  });
}

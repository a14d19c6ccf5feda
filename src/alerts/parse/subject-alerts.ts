// Turns a `[FIRING:n] ...` notification (Alertmanager's or Grafana's) into Alerts: one per
// alert when its text lists them with their labels, else one for the whole group, because
// the title alone names only label values, not which alert is which.
import type { Alert } from '../alert.js';
import { parseAlertList } from './alert-list-text.js';
import { buildAlert } from './build-alert.js';
import { hostOf, toLabels } from './normalize.js';
import { inferredLabels, type SubjectTitle } from './subject-title.js';

export function alertsFromSubject(subject: SubjectTitle, text: string, recognizer: string): Alert[] {
  const listed = parseAlertList(text);
  const inferred = inferredLabels(subject);
  const groupName = inferred.alertname;
  if (listed.length > 0) {
    return listed.map((alert) => {
      // A template may leave alertname out of the list; the title still names the group.
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
  return [
    buildAlert({
      source: 'slack',
      recognizer,
      status: subject.status,
      labels: inferred,
      title: subject.rest,
      // The title without its status is what the firing and resolved messages share.
      fingerprintLabels: { ...inferred, group: subject.rest },
    }),
  ];
}

// Alertmanager's webhook body, version 4 (prometheus/alertmanager docs/configuration.md,
// `<webhook_config>`): a group notification whose `alerts[]` each carry their own status,
// labels, annotations, times and fingerprint. One Alert per entry, so a group with one alert
// firing and one resolved yields one of each, each keyed by its sender's own fingerprint.
// Grafana's webhook contact point sends the same shape as version 1, with fields of its own
// (orgId, title, state, message; per alert values, dashboardURL, silenceURL...).
import { z } from 'zod';

import { ALERT_STATUSES } from '../alert.js';
import type { Alert } from '../alert.js';
import { buildAlert } from './build-alert.js';
import { hostOf } from './normalize.js';
import { formatIssues, issueMessage, type ParseResult } from './problems.js';
import { parseTimestamp, Timestamp } from './timestamp.js';

export const ALERTMANAGER_WEBHOOK = 'alertmanager-webhook';
export const GRAFANA_WEBHOOK = 'grafana-webhook';

/** The body versions read: Alertmanager's and Grafana's. */
const VERSIONS = { '4': 'alertmanager', '1': 'grafana' } as const;

const LabelSet = z.record(z.string(), z.string());

// Fields Alertmanager always sends are required; the group-level ones we do not read are
// optional so a hand-written test post needs only what matters. Unknown keys pass: newer
// Alertmanagers add fields (truncatedAlerts came late) and Grafana adds its own.
export const AlertmanagerWebhookAlert = z.object({
  /** Absent in some older bodies (prometheus-msteams' test data has none): the group's status then stands for it. */
  status: z.enum(ALERT_STATUSES).optional(),
  labels: LabelSet,
  annotations: LabelSet.default({}),
  startsAt: Timestamp,
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});

export const AlertmanagerWebhook = z.object({
  version: z.enum(Object.keys(VERSIONS) as ['4', '1'], {
    error: (issue) => (issue.input === undefined ? undefined : `must be "4" (Alertmanager) or "1" (Grafana) (got ${JSON.stringify(issue.input).slice(0, 40)})`),
  }),
  groupKey: z.string().optional(),
  truncatedAlerts: z.int().min(0).optional(),
  status: z.enum(ALERT_STATUSES),
  receiver: z.string().optional(),
  groupLabels: LabelSet.optional(),
  commonLabels: LabelSet.optional(),
  commonAnnotations: LabelSet.optional(),
  externalURL: z.string().optional(),
  alerts: z.array(AlertmanagerWebhookAlert),
});
export type AlertmanagerWebhook = z.infer<typeof AlertmanagerWebhook>;

function toAlert(entry: z.infer<typeof AlertmanagerWebhookAlert>, groupStatus: Alert['status'], sender: 'alertmanager' | 'grafana'): Alert {
  const host = hostOf(entry.labels);
  const name = entry.labels.alertname ?? 'Alert';
  return buildAlert({
    source: sender,
    recognizer: sender === 'grafana' ? GRAFANA_WEBHOOK : ALERTMANAGER_WEBHOOK,
    status: entry.status ?? groupStatus,
    labels: entry.labels,
    annotations: entry.annotations,
    title: host ? `${name} on ${host}` : name,
    host,
    fingerprint: entry.fingerprint,
    startedAt: parseTimestamp(entry.startsAt),
  });
}

/** One Alert per entry of `alerts[]`, or every problem as `alerts[0].labels: why`. */
export function parseAlertmanagerWebhook(body: unknown): ParseResult<{ alerts: Alert[] }> {
  const parsed = AlertmanagerWebhook.safeParse(body, { error: issueMessage });
  if (!parsed.success) return { ok: false, problems: formatIssues(parsed.error.issues) };
  const sender = VERSIONS[parsed.data.version];
  return { ok: true, alerts: parsed.data.alerts.map((entry) => toAlert(entry, parsed.data.status, sender)) };
}

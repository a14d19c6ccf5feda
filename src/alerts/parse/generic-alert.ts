// The generic JSON alert `POST /alerts` accepts, for senders with no format of their own.
// Our own contract, so unknown fields are refused (a typo such as `sevrity` must not pass
// silently as "medium"):
//   type         required  snake_case kind of problem: disk_full, service_down... (other
//                          spellings are snake_cased: DiskFull → disk_full)
//   severity     required  low | medium | high | critical, or a common word for one
//                          (warning → medium, error/page → high, info → low...)
//   status       optional  firing (default) | resolved
//   host         optional  the device or host (kept as the `host` label); else read from labels
//                          node/host/hostname/exported_instance..., instance last
//   summary      required  one line a person reads
//   labels       optional  string → string, e.g. {service: nginx}; feed runbook variables
//   fingerprint  optional  same value for every notification of one alert; default: a hash
//                          of type, host and labels
//   started_at   optional  RFC 3339 time the problem began
import { z } from 'zod';

import { ALERT_STATUSES } from '../alert.js';
import type { Alert } from '../alert.js';
import { buildAlert } from './build-alert.js';
import { hostOf, severityWord, snakeCase } from './normalize.js';
import { formatIssues, issueMessage, type ParseResult } from './problems.js';
import { parseTimestamp, Timestamp } from './timestamp.js';

export const GENERIC_WEBHOOK = 'generic-webhook';

export const GenericAlert = z.strictObject({
  type: z
    .string()
    .max(100)
    .refine((value) => snakeCase(value) !== '', { message: 'must name the kind of problem, such as disk_full' }),
  severity: z.string().refine((value) => severityWord(value) !== undefined, {
    message: 'must be low, medium, high or critical (or warning, error, page, info...)',
  }),
  status: z.enum(ALERT_STATUSES).default('firing'),
  host: z.string().trim().min(1).max(255).optional(),
  summary: z.string().trim().min(1).max(1000),
  labels: z.record(z.string().max(100), z.string().max(1000)).default({}),
  fingerprint: z.string().trim().min(1).max(200).optional(),
  started_at: Timestamp.optional(),
});
export type GenericAlert = z.input<typeof GenericAlert>;

/** The one Alert the body describes (as a one-item list, like the Alertmanager parser). */
export function parseGenericAlert(body: unknown): ParseResult<{ alerts: Alert[] }> {
  const parsed = GenericAlert.safeParse(body, { error: issueMessage });
  if (!parsed.success) return { ok: false, problems: formatIssues(parsed.error.issues) };
  const data = parsed.data;
  const host = data.host ?? hostOf(data.labels);
  const alert = buildAlert({
    source: 'webhook',
    recognizer: GENERIC_WEBHOOK,
    status: data.status,
    // The host field names the machine outright: it is the `host` label the target is read from.
    labels: data.host === undefined ? data.labels : { ...data.labels, host: data.host },
    title: data.summary,
    type: snakeCase(data.type),
    severity: severityWord(data.severity),
    host,
    fingerprint: data.fingerprint,
    fingerprintLabels: host ? { ...data.labels, host } : data.labels,
    startedAt: data.started_at === undefined ? null : parseTimestamp(data.started_at),
  });
  return { ok: true, alerts: [alert] };
}

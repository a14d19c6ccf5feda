// An alert as the bot understands it, whatever sent it (a monitoring app's Slack message, an
// Alertmanager webhook, a generic JSON post): what kind of problem, how bad, on which host,
// and a fingerprint that stays the same while the same alert keeps firing.
import { SEVERITIES, type Severity } from '../engine/types.js';

export const ALERT_STATUSES = ['firing', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export const ALERT_SOURCES = ['slack', 'alertmanager', 'webhook'] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];

export interface Alert {
  source: AlertSource;
  /** Which recogniser read it: `alertmanager-slack`, `grafana-slack`, `alertmanager-webhook`, `generic-webhook`, `rule:<name>`. */
  recognizer: string;
  /** snake_case kind of problem, as playbook triggers name it: `service_down`, `high_cpu`, `disk_full`... */
  type: string;
  severity: Severity;
  status: AlertStatus;
  /** The device or host it concerns, when the alert says. */
  host: string | null;
  labels: Record<string, string>;
  /** One line a person reads. */
  summary: string;
  /** Same value for every notification of one alert (firing again, then resolved). */
  fingerprint: string;
  /** Epoch ms, when the alert says. */
  started_at: number | null;
}

export { SEVERITIES, type Severity };

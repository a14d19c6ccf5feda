// An alert as the bot understands it, whatever sent it (a monitoring app's Slack message, an
// Alertmanager webhook, a generic JSON post): what kind of problem, how bad, on which host,
// and a fingerprint that stays the same while the same alert keeps firing.
import { SEVERITIES, type Severity } from '../engine/types.js';

export const ALERT_STATUSES = ['firing', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export const ALERT_SOURCES = ['slack', 'alertmanager', 'grafana', 'webhook'] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];

export interface Alert {
  source: AlertSource;
  /** Which recogniser read it: `alertmanager-slack`, `grafana-slack`, `alertmanager-webhook`, `grafana-webhook`, `generic-webhook`, `rule:<name>`. */
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
  /**
   * A Slack title's label values, for a notification that names no labels (Alertmanager's
   * default Slack message): type, severity and machine are then inferred from these values
   * against what the bot knows (readTitleAlert). Null when the labels were named.
   */
  title_values: TitleValues | null;
  /** What was inferred rather than read, and from what: one line each, shown on the card. */
  inferred: string[];
}

/** The values of a `[FIRING:n] group values (common values)` title, in the sender's order. */
export interface TitleValues {
  /** The group labels' values, sorted by label name with alertname first. */
  group: string[];
  /** The values of the labels every alert shares but the group is not keyed on, same order. */
  common: string[];
}

export { SEVERITIES, type Severity };

/**
 * Labels by lower-cased name, for readers that take label names case-insensitively; when two
 * differ only by case, the first in sorted order wins, so the result does not depend on the
 * order the sender wrote them in.
 */
export function indexLabels(labels: Readonly<Record<string, string>>): Map<string, string> {
  const index = new Map<string, string>();
  for (const key of Object.keys(labels).sort()) {
    const lower = key.toLowerCase();
    if (!index.has(lower)) index.set(lower, labels[key]!);
  }
  return index;
}

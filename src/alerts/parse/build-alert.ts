// Every parser ends here, so type, severity, host, summary and fingerprint are read the same
// way whatever the source; a parser only overrides what its payload states outright.
import type { Alert, AlertSource, AlertStatus, Severity, TitleValues } from '../alert.js';
import { deriveFingerprint } from './fingerprint.js';
import { alertTypeOf, hostOf, severityOf, summaryOf, type Labels } from './normalize.js';

export interface AlertParts {
  source: AlertSource;
  recognizer: string;
  status: AlertStatus;
  labels: Labels;
  annotations?: Labels;
  /** The summary when no annotation gives one (usually the title). */
  title: string;
  type?: string;
  severity?: Severity;
  host?: string | null;
  /** The sender's own fingerprint; derived from the labels when absent or empty. */
  fingerprint?: string;
  /** What identifies the alert, when not simply its labels (a rule's key captures, a group's title). */
  fingerprintLabels?: Labels;
  startedAt?: number | null;
  /** A title-only notification's values (see Alert.title_values). */
  titleValues?: TitleValues | null;
}

export function buildAlert(parts: AlertParts): Alert {
  const type = parts.type ?? alertTypeOf(parts.labels);
  const name = parts.labels.alertname ?? type;
  return {
    source: parts.source,
    recognizer: parts.recognizer,
    type,
    severity: parts.severity ?? severityOf(parts.labels),
    status: parts.status,
    host: parts.host !== undefined ? parts.host : hostOf(parts.labels),
    labels: parts.labels,
    summary: summaryOf(parts.annotations ?? {}, parts.title),
    fingerprint: parts.fingerprint || deriveFingerprint(parts.source, name, parts.fingerprintLabels ?? parts.labels),
    started_at: parts.startedAt ?? null,
    title_values: parts.titleValues ?? null,
    inferred: [],
  };
}

// A fingerprint derived from what identifies an alert, for senders that give none (Slack
// messages, generic posts): the same alert firing again, and its resolved notification, hash
// to the same value, so one card and one run follow it whatever the message says this time.
import { createHash } from 'node:crypto';

import type { AlertSource } from '../alert.js';
import type { Labels } from './normalize.js';

// Labels that change between notifications of one alert: hashing them would make every
// repeat look new. Prometheus' `alertstate`, Grafana's values, a script's timestamps.
const VOLATILE = new Set(['alertstate', 'state', 'status', 'value', 'values', 'current_value', '__value__', '__values__', 'timestamp', 'time', 'startsat', 'endsat', 'started_at', 'ends_at']);

export function isVolatileLabel(name: string): boolean {
  return VOLATILE.has(name.toLowerCase());
}

/** sha256 over source, alert name and the sorted stable labels; 32 hex characters. */
export function deriveFingerprint(source: AlertSource, name: string, labels: Labels): string {
  const pairs = Object.entries(labels)
    .filter(([key]) => !isVolatileLabel(key))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify([source, name, pairs])).digest('hex').slice(0, 32);
}

// Filling a run's variables from the alert that suggested it (issue 5, "Suggest, or start"):
// labels by name, then a few well-known label names, and the device from the alert's host.
// Defaults are left to the engine (resolveVariables), so a value here always came from the alert.
import { VARIABLE_VALUE_MAX_CHARS, type VariableDef } from '../../engine/index.js';
import type { Alert } from '../alert.js';

/**
 * Names that mean the same thing, the variable's usual spelling first. A variable whose name
 * is in a group also takes the group's labels, tried in this order. `instance` is left out
 * on purpose: it carries a port (`web-01:9100`); the recogniser already turned it into `host`.
 */
export const VARIABLE_ALIASES: readonly (readonly string[])[] = [
  ['deviceId', 'device_id', 'host', 'hostname', 'nodename'],
  // `job` last: in Prometheus it names the scrape job, which is often, not always, the service.
  ['serviceName', 'service', 'service_name', 'job'],
  ['path', 'mountpoint', 'mount_point', 'mount'],
];

/** The group whose members the alert's host stands for. */
const DEVICE_GROUP = VARIABLE_ALIASES[0]!;

export interface AlertVariables {
  /** Only declared variables, each trimmed and at most VARIABLE_VALUE_MAX_CHARS long. */
  values: Record<string, string>;
  /** Required variables without a default that the alert gave no value for: ask a person. */
  missing: VariableDef[];
}

export function variablesFromAlert(alert: Pick<Alert, 'labels' | 'host'>, variables: readonly VariableDef[]): AlertVariables {
  const byLowerName = indexLabels(alert.labels);
  const values: Record<string, string> = {};
  const missing: VariableDef[] = [];
  for (const def of variables) {
    const value = firstValue(candidateValues(def.name, alert, byLowerName));
    if (value !== null) values[def.name] = value;
    else if (def.required && def.default === null) missing.push(def);
  }
  return { values, missing };
}

/** Where a variable's value may come from, most specific first. */
function* candidateValues(name: string, alert: Pick<Alert, 'labels' | 'host'>, byLowerName: Map<string, string>) {
  yield Object.hasOwn(alert.labels, name) ? alert.labels[name] : undefined;
  yield byLowerName.get(name.toLowerCase());
  const group = VARIABLE_ALIASES.find((names) => names.some((alias) => alias.toLowerCase() === name.toLowerCase()));
  if (group === undefined) return;
  if (group === DEVICE_GROUP) yield alert.host ?? undefined;
  for (const alias of group) yield byLowerName.get(alias.toLowerCase());
}

function firstValue(values: Iterable<string | undefined>): string | null {
  for (const raw of values) {
    const value = typeof raw === 'string' ? clean(raw) : '';
    if (value !== '') return value;
  }
  return null;
}

// Labels are case-insensitive here; when two differ only by case, the first in sorted order
// wins, so the result does not depend on the order the sender wrote them in.
function indexLabels(labels: Record<string, string>): Map<string, string> {
  const index = new Map<string, string>();
  for (const key of Object.keys(labels).sort()) {
    const lower = key.toLowerCase();
    if (!index.has(lower)) index.set(lower, labels[key]!);
  }
  return index;
}

// The engine refuses longer values; cutting keeps the run startable with the useful start.
function clean(raw: string): string {
  const text = raw.trim();
  if (text.length <= VARIABLE_VALUE_MAX_CHARS) return text;
  let end = VARIABLE_VALUE_MAX_CHARS;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1; // never leave half a surrogate pair
  return text.slice(0, end).trimEnd();
}

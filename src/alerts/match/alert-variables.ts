// Filling a run's variables from the alert that suggested it (issue 5, "Suggest, or start"):
// labels by name, then a few well-known label names. The device is only ever the target the
// alert names for sure (infer/target.ts), never a label read here: when there is none, every
// device variable is asked for, its default included, so no run lands on a machine by guess.
// Other defaults are left to the engine (resolveVariables), so a value here came from the alert.
import { VARIABLE_VALUE_MAX_CHARS, type VariableDef } from '../../engine/index.js';
import { indexLabels, type Alert } from '../alert.js';

/**
 * Names that mean the same thing, the variable's usual spelling first. A variable whose name
 * is in a group also takes the group's labels, tried in this order; the device group takes
 * only the resolved target.
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

/** `device`: the known device the alert names for sure (AlertTarget.device), or null. */
export function variablesFromAlert(alert: Pick<Alert, 'labels'>, variables: readonly VariableDef[], device: string | null): AlertVariables {
  const byLowerName = indexLabels(alert.labels);
  const values: Record<string, string> = {};
  const missing: VariableDef[] = [];
  for (const def of variables) {
    const isDevice = groupOf(def.name) === DEVICE_GROUP;
    const value = isDevice ? (device === null ? null : firstValue([device])) : firstValue(candidateValues(def.name, alert, byLowerName));
    if (value !== null) values[def.name] = value;
    else if (isDevice || (def.required && def.default === null)) missing.push(def);
  }
  return { values, missing };
}

const groupOf = (name: string) => VARIABLE_ALIASES.find((names) => names.some((alias) => alias.toLowerCase() === name.toLowerCase()));

/** Where a variable's value may come from, most specific first. */
function* candidateValues(name: string, alert: Pick<Alert, 'labels'>, byLowerName: Map<string, string>) {
  yield Object.hasOwn(alert.labels, name) ? alert.labels[name] : undefined;
  yield byLowerName.get(name.toLowerCase());
  for (const alias of groupOf(name) ?? []) yield byLowerName.get(alias.toLowerCase());
}

function firstValue(values: Iterable<string | undefined>): string | null {
  for (const raw of values) {
    const value = typeof raw === 'string' ? clean(raw) : '';
    if (value !== '') return value;
  }
  return null;
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

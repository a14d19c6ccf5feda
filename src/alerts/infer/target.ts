// Which machine a playbook started from an alert may act on. Only labels that name the
// affected machine count (`node`, `host`, `hostname`, `exported_instance`, labels configured
// per sender), and only when they name a device the bot knows. `instance` is the address
// Prometheus scraped: the machine itself for node-exporter, but kube-state-metrics' own
// address for every Kubernetes alert it backs, so it counts only as a known device. A Slack
// title's values count when exactly one of them is a known device. Anything less certain
// leaves the device unknown: the card says why and a person is asked.
import { indexLabels, type Alert } from '../alert.js';
import { MACHINE_LABELS, stripPort, type Labels } from '../parse/normalize.js';
import type { AlertKnowledge } from './knowledge.js';
import { isAddress } from './read-title.js';


/** A sender's own labels and values for machines (ALERT_RULES_FILE `targets`). */
export interface TargetMapping {
  /** Sender families it applies to (`alertmanager`, `grafana`, `webhook`, `rules`), or `*`. */
  from: readonly string[];
  /** Labels naming the machine, tried before MACHINE_LABELS. */
  labels: readonly string[];
  /** A label value (as sent, or without its port) → the device id it means. */
  map: Readonly<Record<string, string>>;
}

export interface AlertTarget {
  /** A known device the alert names for sure; null: unknown, so a person is asked. */
  device: string | null;
  /** One line for the card: where the device came from, or why none could be trusted. */
  reason: string;
}

/** `alertmanager-slack` → `alertmanager`; `generic-webhook` → `webhook`; `rule:disk` → `rules`. */
export function senderFamily(recognizer: string): string {
  if (recognizer.startsWith('rule:')) return 'rules';
  if (recognizer === 'generic-webhook') return 'webhook';
  return recognizer.split('-')[0] ?? recognizer;
}

interface Reading {
  device: string;
  known: boolean;
  mapped: boolean;
}

function deviceOf(value: string, map: Readonly<Record<string, string>>, devices: ReadonlySet<string>): Reading {
  const spellings = [value.trim(), stripPort(value)];
  for (const spelling of spellings) {
    const mapped = Object.hasOwn(map, spelling) ? map[spelling] : undefined;
    if (mapped !== undefined) return { device: mapped, known: devices.has(mapped), mapped: true };
  }
  for (const spelling of spellings) if (devices.has(spelling)) return { device: spelling, known: true, mapped: false };
  return { device: stripPort(value), known: false, mapped: false };
}

function lookup(labels: Labels): (name: string) => string | undefined {
  const byLower = indexLabels(labels);
  return (name) => {
    const value = byLower.get(name.toLowerCase())?.trim();
    return value ? value : undefined;
  };
}

const shown = (value: string) => (value.length > 80 ? `${value.slice(0, 79)}…` : value);

function named(reading: Reading, what: string): string {
  return reading.mapped ? `${what}, mapped to ${reading.device} in ALERT_RULES_FILE targets` : `${what}: the known device ${reading.device}`;
}

export function resolveTarget(alert: Pick<Alert, 'labels' | 'recognizer' | 'title_values'>, knowledge: Pick<AlertKnowledge, 'devices'>, mappings: readonly TargetMapping[] = []): AlertTarget {
  const family = senderFamily(alert.recognizer);
  const own = mappings.filter((m) => m.from.includes('*') || m.from.includes(family));
  const map = Object.assign({}, ...own.map((m) => m.map)) as Record<string, string>;
  const label = lookup(alert.labels);
  const { devices } = knowledge;

  const machine = [...new Set([...own.flatMap((m) => m.labels), ...MACHINE_LABELS])].flatMap((name) => {
    const value = label(name);
    return value === undefined ? [] : [{ name, value, reading: deviceOf(value, map, devices) }];
  });
  if (machine.length > 0) {
    const found = machine.find((m) => m.reading.known);
    if (found) return { device: found.reading.device, reason: named(found.reading, `label ${found.name}=${shown(found.value)}`) };
    const first = machine[0]!;
    return { device: null, reason: `label ${first.name}=${shown(first.value)} names no known device` };
  }

  const instance = label('instance');
  if (instance !== undefined) {
    const reading = deviceOf(instance, map, devices);
    if (reading.known) return { device: reading.device, reason: named(reading, `label instance=${shown(instance)}`) };
    const job = label('job');
    return {
      device: null,
      reason: `label instance=${shown(instance)} is the address Prometheus scraped${job ? ` (job ${shown(job)})` : ''}, not a known device`,
    };
  }

  if (alert.title_values !== null) {
    const values = [...alert.title_values.group, ...alert.title_values.common];
    const known = values.map((value) => ({ value, reading: deviceOf(value, map, devices) })).filter((v) => v.reading.known);
    const distinct = [...new Set(known.map((k) => k.reading.device))];
    if (distinct.length === 1) return { device: distinct[0]!, reason: named(known[0]!.reading, `the title value ${shown(known[0]!.value)}`) };
    if (distinct.length > 1) return { device: null, reason: `the title names several known devices (${distinct.map(shown).join(', ')}); which one is meant is not said` };
    const addresses = values.filter(isAddress);
    if (addresses.length === 0) return { device: null, reason: 'the title names no known device' };
    const which = addresses.length === 1 ? 'which is no known device' : 'none of them a known device';
    return { device: null, reason: `the title names ${addresses.map(shown).join(', ')}, ${which}` };
  }
  return { device: null, reason: 'the alert names no machine' };
}

// One reading of labels for every alert source, so a playbook trigger written as
// `alert_types: [disk_full]` matches whether the alert came from Alertmanager, Grafana or a
// home-grown script: the kind of problem, how bad, which host and the line a person reads.
import type { Severity } from '../alert.js';

export type Labels = Record<string, string>;

/** `NodeFilesystemAlmostOutOfSpace` → `node_filesystem_almost_out_of_space`; `High CPU` → `high_cpu`. */
export function snakeCase(name: string): string {
  return name
    .slice(0, 200)
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/([a-z\d])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

// Tried in order: disk before memory and down, so `HostOutOfDiskSpace` or `DiskDown` read as
// disk_full. Patterns cover the exporters' usual names (node-exporter mixin, awesome alerts).
const TYPE_TABLE: readonly (readonly [RegExp, string])[] = [
  [/(disk|filesystem).*(full|space|fill)|out.?of.?disk/i, 'disk_full'],
  [/high.?cpu|cpu.?(high|usage|load|saturat)/i, 'high_cpu'],
  [/memory|high.?mem/i, 'high_memory'],
  [/down$/i, 'service_down'],
];

/** A common alert name mapped to the type playbooks trigger on; otherwise the name in snake_case. */
export function typeFromName(name: string): string {
  // Names are short; the cap keeps a hostile 40 kB "alertname" from making the table slow.
  const trimmed = name.trim().slice(0, 200);
  for (const [pattern, type] of TYPE_TABLE) if (pattern.test(trimmed)) return type;
  return snakeCase(trimmed) || 'unknown';
}

/** The `type` label wins (the sender said so); else the alertname read through the table. */
export function alertTypeOf(labels: Labels, fallbackName = ''): string {
  if (labels.type?.trim()) return snakeCase(labels.type);
  return typeFromName(labels.alertname ?? fallbackName);
}

const SEVERITY_WORDS: Record<string, Severity> = {
  critical: 'critical', crit: 'critical', fatal: 'critical', emergency: 'critical', disaster: 'critical',
  high: 'high', error: 'high', err: 'high', page: 'high', major: 'high',
  medium: 'medium', warning: 'medium', warn: 'medium', moderate: 'medium', average: 'medium',
  low: 'low', info: 'low', informational: 'low', notice: 'low', minor: 'low',
};

export const SEVERITY_WORD_LIST = Object.keys(SEVERITY_WORDS);

/** A word senders use for severity, mapped to ours; undefined when it is not one. */
export function severityWord(word: string | undefined): Severity | undefined {
  if (word === undefined) return undefined;
  const key = word.trim().toLowerCase();
  return Object.hasOwn(SEVERITY_WORDS, key) ? SEVERITY_WORDS[key] : undefined;
}

/** From the `severity` label; medium when absent or unknown (a page nobody can rank is still a page). */
export function severityOf(labels: Labels): Severity {
  return severityWord(labels.severity) ?? 'medium';
}

// Labels naming the machine first; `instance` last, as it may be an exporter's address
// (infer/target.ts decides what a playbook may act on). Not `device`: node-exporter uses it
// for a disk or a network interface.
export const MACHINE_LABELS = ['deviceId', 'device_id', 'node', 'host', 'hostname', 'exported_instance', 'nodename'] as const;
const HOST_LABELS = [...MACHINE_LABELS, 'instance'] as const;

/** `web-01:9100` → `web-01`; `[::1]:9100` → `::1`; a probe URL → its host name. */
export function stripPort(value: string): string {
  const v = value.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) {
    try {
      return new URL(v).hostname.replace(/^\[|\]$/g, '') || v;
    } catch {
      return v;
    }
  }
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(v);
  if (bracketed?.[1]) return bracketed[1];
  // One colon only: a bare IPv6 address has several and no port to strip.
  return /^[^:]+:\d+$/.test(v) ? v.slice(0, v.lastIndexOf(':')) : v;
}

export function hostOf(labels: Labels): string | null {
  for (const name of HOST_LABELS) {
    const value = labels[name]?.trim();
    if (value) return name === 'instance' ? stripPort(value) : value;
  }
  return null;
}

/** The annotation a person wrote, else the notification's title. */
export function summaryOf(annotations: Labels, fallback: string): string {
  const text = annotations.summary?.trim() || annotations.description?.trim() || annotations.message?.trim() || fallback.trim();
  return text.replace(/\s+/g, ' ').slice(0, 500);
}

/** Builds a record from pairs without letting a `__proto__` label touch the prototype. */
export function toLabels(entries: Iterable<readonly [string, string]>): Labels {
  return Object.fromEntries(entries) as Labels;
}

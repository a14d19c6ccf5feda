import { describe, expect, it } from 'vitest';

import { looksLikeAlertName, readTitle, type AlertKnowledge } from '../../../src/alerts/infer/index.js';
import { parseSubjectTitle } from '../../../src/alerts/parse/subject-title.js';

const knowing = (...alertTypes: string[]): AlertKnowledge => ({ alertTypes, devices: new Set() });

const valuesOf = (title: string) => {
  const subject = parseSubjectTitle(title);
  if (!subject) throw new Error(`not a subject: ${title}`);
  return { group: subject.group, common: subject.common };
};

describe('readTitle', () => {
  it.each<[string, string, AlertKnowledge, string, string | undefined]>([
    ['grouped on alertname', '[FIRING:2] InstanceDown (node critical)', knowing(), 'service_down', 'critical'],
    ['grouped on namespace, the name first in the common part', '[FIRING:1] shop (KubePodCrashLooping web warning)', knowing(), 'kube_pod_crash_looping', 'warning'],
    ['a name with spaces a playbook triggers on', '[FIRING:1] ICMP ping failed (web-01 critical)', knowing('icmp_ping_failed'), 'icmp_ping_failed', 'critical'],
    ['a name with spaces read through the type table', '[FIRING:1] Disk almost full (db-01 warning)', knowing('disk_full'), 'disk_full', 'warning'],
    ['a lower-case name a playbook triggers on', '[FIRING:1] backup_stale (db-01 high)', knowing('backup_stale'), 'backup_stale', 'high'],
    ['a lower-case group value that names nothing', '[FIRING:1] shop (kube-state-metrics warning)', knowing('service_down'), 'unknown', 'warning'],
    ['no group and no shared name', '[FIRING:2]  (node)', knowing(), 'unknown', undefined],
  ])('reads %s', (_name, title, knowledge, type, severity) => {
    const reading = readTitle(valuesOf(title), knowledge);
    expect(reading.type).toBe(type);
    expect(reading.labels.severity).toBe(severity);
  });

  it('tries names only where Alertmanager puts alertname, so a pod called memory-cache is no high_memory', () => {
    expect(readTitle(valuesOf('[FIRING:1] shop (KubePodCrashLooping memory-cache warning)'), knowing('high_memory')).type).toBe('kube_pod_crash_looping');
  });

  it('does not take a word of the name for the severity', () => {
    const reading = readTitle(valuesOf('[FIRING:1] Error budget burn (checkout page)'), knowing('error_budget_burn'));
    expect(reading).toMatchObject({ type: 'error_budget_burn', labels: { alertname: 'Error budget burn', severity: 'page' } });
  });

  it('says what it inferred and from what', () => {
    expect(readTitle(valuesOf('[FIRING:1] shop (kube-state-metrics)'), knowing()).inferred).toEqual([
      'type unknown: nothing in the title names the alert (its values: “shop kube-state-metrics”)',
      'severity medium: the title names none',
    ]);
  });
});

describe('parseSubjectTitle', () => {
  it('keeps a value holding parentheses in its part', () => {
    expect(valuesOf('[FIRING:1] Disk (root) full (web-01 critical)')).toEqual({ group: ['Disk', '(root)', 'full'], common: ['web-01', 'critical'] });
  });

  it('has no common part when every shared label is grouped on', () => {
    expect(parseSubjectTitle('[RESOLVED] HighErrorRate prod-eu checkout')).toMatchObject({ status: 'resolved', groupText: 'HighErrorRate prod-eu checkout', common: [] });
  });
});

describe('looksLikeAlertName', () => {
  it.each([
    ['KubePodCrashLooping', true],
    ['disk_full', true],
    ['ICMP', true],
    ['shop', false],
    ['web-7d4f9c-abcde', false],
    ['10.244.1.7:8080', false],
    ['critical', false],
  ])('%s → %s', (value, expected) => {
    expect(looksLikeAlertName(value)).toBe(expected);
  });
});

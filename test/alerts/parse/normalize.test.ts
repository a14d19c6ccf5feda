import { describe, expect, it } from 'vitest';

import { alertTypeOf, deriveFingerprint, hostOf, severityOf, snakeCase, typeFromName } from '../../../src/alerts/parse/index.js';

describe('alert type', () => {
  it.each([
    ['InstanceDown', 'service_down'],
    ['TargetDown', 'service_down'],
    ['ServiceDown', 'service_down'],
    ['NginxDown', 'service_down'],
    ['HighCPU', 'high_cpu'],
    ['CPUHigh', 'high_cpu'],
    ['NodeCpuUsage', 'high_cpu'],
    ['HostHighCpuLoad', 'high_cpu'],
    ['High CPU', 'high_cpu'],
    ['DiskFull', 'disk_full'],
    ['DiskSpaceLow', 'disk_full'],
    ['HostOutOfDiskSpace', 'disk_full'],
    ['NodeFilesystemAlmostOutOfSpace', 'disk_full'],
    ['NodeFilesystemSpaceFillingUp', 'disk_full'],
    ['FilesystemFull', 'disk_full'],
    ['HighMemory', 'high_memory'],
    ['MemoryPressure', 'high_memory'],
    ['HostOutOfMemory', 'high_memory'],
    ['KubePodCrashLooping', 'kube_pod_crash_looping'],
    ['HTTPErrorRateHigh', 'http_error_rate_high'],
    ['', 'unknown'],
  ])('reads alertname %j as %s', (name, type) => {
    expect(typeFromName(name)).toBe(type);
  });

  it('prefers an explicit type label to the alertname', () => {
    expect(alertTypeOf({ alertname: 'InstanceDown', type: 'Certificate Expiry' })).toBe('certificate_expiry');
  });

  it('snake_cases names of every shape', () => {
    expect(['already_snake', 'Two Words', 'kebab-case-name', 'XMLHttpFailures'].map(snakeCase)).toEqual(['already_snake', 'two_words', 'kebab_case_name', 'xml_http_failures']);
  });
});

describe('severity', () => {
  it.each([
    ['critical', 'critical'],
    ['CRITICAL', 'critical'],
    ['fatal', 'critical'],
    ['high', 'high'],
    ['error', 'high'],
    ['page', 'high'],
    ['medium', 'medium'],
    ['warning', 'medium'],
    ['warn', 'medium'],
    ['low', 'low'],
    ['info', 'low'],
    ['unheard-of', 'medium'],
    [undefined, 'medium'],
  ])('reads severity label %j as %s', (label, severity) => {
    expect(severityOf(label === undefined ? {} : { severity: label })).toBe(severity);
  });

  it('does not take inherited names such as toString for severity words', () => {
    expect(severityOf({ severity: 'toString' })).toBe('medium');
  });
});

describe('host', () => {
  it.each([
    [{ host: 'db-02', instance: 'web-01:9100' }, 'db-02'],
    [{ hostname: 'db-02.example.com' }, 'db-02.example.com'],
    [{ instance: 'web-01:9100' }, 'web-01'],
    [{ instance: '10.0.0.7:9100' }, '10.0.0.7'],
    [{ instance: '[2001:db8::7]:9100' }, '2001:db8::7'],
    [{ instance: '2001:db8::7' }, '2001:db8::7'],
    [{ instance: 'https://server.example.org/health' }, 'server.example.org'],
    // node-exporter's `device` is a disk or an interface, never the machine.
    [{ device: '/dev/sda1', instance: 'web-01:9100' }, 'web-01'],
    [{ device: 'sw-core-1' }, null],
    [{ node: 'k8s-worker-3', instance: '10.244.1.7:8080' }, 'k8s-worker-3'],
    [{ exported_instance: 'db-01', instance: 'pushgateway:9091' }, 'db-01'],
    [{ nodename: 'web-03', instance: '10.0.0.3:9100' }, 'web-03'],
    [{ job: 'node' }, null],
  ])('reads %j as host %j', (labels, host) => {
    expect(hostOf(labels)).toBe(host);
  });
});

describe('deriveFingerprint', () => {
  it('is the same whatever order the labels come in', () => {
    expect(deriveFingerprint('slack', 'HighCPU', { a: '1', b: '2' })).toBe(deriveFingerprint('slack', 'HighCPU', { b: '2', a: '1' }));
  });

  it('ignores labels that change between notifications of one alert', () => {
    const base = deriveFingerprint('webhook', 'disk_full', { host: 'db-02' });
    expect(deriveFingerprint('webhook', 'disk_full', { host: 'db-02', value: '97', alertstate: 'firing', timestamp: '1718006520' })).toBe(base);
  });

  it('differs by source, name and stable labels', () => {
    const base = deriveFingerprint('webhook', 'disk_full', { host: 'db-02' });
    expect(deriveFingerprint('slack', 'disk_full', { host: 'db-02' })).not.toBe(base);
    expect(deriveFingerprint('webhook', 'high_cpu', { host: 'db-02' })).not.toBe(base);
    expect(deriveFingerprint('webhook', 'disk_full', { host: 'db-03' })).not.toBe(base);
  });
});

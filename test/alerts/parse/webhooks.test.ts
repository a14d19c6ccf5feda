import { describe, expect, it } from 'vitest';

import { parseAlertmanagerWebhook, parseGenericAlert } from '../../../src/alerts/parse/index.js';
import { fixture } from './support/fixtures.js';

const DISK_LABELS = { alertname: 'NodeFilesystemAlmostOutOfSpace', device: '/dev/sda1', fstype: 'ext4', job: 'node', mountpoint: '/var', severity: 'warning' };

describe('parseAlertmanagerWebhook', () => {
  it('gives one alert per entry, each with its own status, fingerprint and start', () => {
    expect(parseAlertmanagerWebhook(fixture('alertmanager-webhook-v4.json'))).toEqual({
      ok: true,
      alerts: [
        {
          source: 'alertmanager',
          recognizer: 'alertmanager-webhook',
          type: 'disk_full',
          severity: 'medium',
          status: 'firing',
          host: 'db-02',
          labels: { ...DISK_LABELS, instance: 'db-02:9100' },
          summary: 'Filesystem has less than 5% space left.',
          fingerprint: '4c3e1bd6a0e5f9d2',
          started_at: Date.UTC(2024, 5, 10, 8, 0, 26, 739),
          title_values: null,
          inferred: [],
        },
        {
          source: 'alertmanager',
          recognizer: 'alertmanager-webhook',
          type: 'disk_full',
          severity: 'medium',
          status: 'resolved',
          host: 'db-03',
          labels: { ...DISK_LABELS, instance: 'db-03:9100' },
          summary: 'Filesystem has less than 5% space left.',
          fingerprint: '9a1f7e2b5c6d8e03',
          started_at: Date.UTC(2024, 5, 10, 7, 41, 56, 739),
          title_values: null,
          inferred: [],
        },
      ],
    });
  });

  it('names the path of every problem in a malformed body', () => {
    expect(parseAlertmanagerWebhook(fixture('alertmanager-webhook-malformed.json'))).toEqual({
      ok: false,
      problems: [
        'status: must be one of firing, resolved (got "burning")',
        'alerts[0].labels: must be an object (got a list)',
        'alerts[1].labels.instance: must be a string (got number 9100)',
        'alerts[1].startsAt: must be an RFC 3339 time such as 2024-06-10T08:00:00Z',
      ],
    });
  });

  it('refuses a version neither Alertmanager nor Grafana sends, naming both', () => {
    const body = { ...(fixture('alertmanager-webhook-v4.json') as object), version: '3' };
    expect(parseAlertmanagerWebhook(body)).toEqual({ ok: false, problems: ['version: must be "4" (Alertmanager) or "1" (Grafana) (got "3")'] });
  });

  it('reads version 1 as Grafana’s webhook: same alerts, Grafana as their source', () => {
    const body = { ...(fixture('alertmanager-webhook-v4.json') as object), version: '1', orgId: 1, title: '[FIRING:2]', state: 'alerting', message: '' };
    const parsed = parseAlertmanagerWebhook(body);
    const asAlertmanager = parseAlertmanagerWebhook(fixture('alertmanager-webhook-v4.json'));
    if (!parsed.ok || !asAlertmanager.ok) throw new Error('expected both to parse');
    expect(parsed.alerts.map((a) => [a.source, a.recognizer])).toEqual([['grafana', 'grafana-webhook'], ['grafana', 'grafana-webhook']]);
    expect(parsed.alerts.map(({ source: _s, recognizer: _r, ...rest }) => rest)).toEqual(asAlertmanager.alerts.map(({ source: _s, recognizer: _r, ...rest }) => rest));
  });

  it('says so when the body is not an object at all', () => {
    expect(parseAlertmanagerWebhook('[FIRING:1]')).toEqual({ ok: false, problems: ['(body): must be an object (got string "[FIRING:1]")'] });
  });

  it('derives a stable fingerprint when an older Alertmanager sends none', () => {
    const body = fixture('alertmanager-webhook-v4.json') as { alerts: Record<string, unknown>[] };
    const without = { ...body, alerts: body.alerts.map(({ fingerprint: _omit, ...alert }) => ({ ...alert, status: 'firing' })) };
    const first = parseAlertmanagerWebhook(without);
    const again = parseAlertmanagerWebhook(without);
    const prints = first.ok ? first.alerts.map((a) => a.fingerprint) : [];
    expect(prints).toHaveLength(2);
    expect(prints[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(prints[0]).not.toBe(prints[1]);
    expect(again.ok && again.alerts.map((a) => a.fingerprint)).toEqual(prints);
  });
});

describe('parseGenericAlert', () => {
  it('reads the documented body, mapping its severity word', () => {
    expect(parseGenericAlert(fixture('generic-alert.json'))).toEqual({
      ok: true,
      alerts: [
        {
          source: 'webhook',
          recognizer: 'generic-webhook',
          type: 'service_down',
          severity: 'high',
          status: 'firing',
          host: 'api-03',
          labels: { service: 'nginx', env: 'production', host: 'api-03' },
          summary: 'nginx is not answering on api-03',
          fingerprint: 'f36cccdeb21eb8a6626ec9b37a45c2d4',
          started_at: Date.UTC(2024, 5, 10, 6, 10),
          title_values: null,
          inferred: [],
        },
      ],
    });
  });

  it('gives the resolved notification of the same alert the same fingerprint', () => {
    const firing = parseGenericAlert(fixture('generic-alert.json'));
    const resolved = parseGenericAlert({ ...(fixture('generic-alert.json') as object), status: 'resolved', summary: 'nginx is back' });
    expect(resolved.ok && resolved.alerts[0]?.fingerprint).toBe(firing.ok && firing.alerts[0]?.fingerprint);
  });

  it('takes the sender fingerprint, snake_cases the type and reads the host from labels', () => {
    const parsed = parseGenericAlert({ type: 'DiskFull', severity: 'critical', summary: 'disk', labels: { instance: 'db-02:9100' }, fingerprint: 'ticket-4411' });
    expect(parsed).toMatchObject({ ok: true, alerts: [{ type: 'disk_full', host: 'db-02', fingerprint: 'ticket-4411', started_at: null }] });
  });

  it('names the path of every problem, unknown fields included', () => {
    expect(parseGenericAlert({ type: 'disk_full', sevrity: 'high', status: 'open', labels: { team: 7 }, started_at: 'now' })).toEqual({
      ok: false,
      problems: [
        'severity: is required',
        'status: must be one of firing, resolved (got "open")',
        'summary: is required',
        'labels.team: must be a string (got number 7)',
        'started_at: must be an RFC 3339 time such as 2024-06-10T08:00:00Z',
        'sevrity: unknown field',
      ],
    });
  });

  it('refuses a severity word it does not know', () => {
    expect(parseGenericAlert({ type: 'disk_full', severity: 'apocalyptic', summary: 'x' })).toEqual({
      ok: false,
      problems: ['severity: must be low, medium, high or critical (or warning, error, page, info...)'],
    });
  });
});

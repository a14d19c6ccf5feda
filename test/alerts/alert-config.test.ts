// ALERT_RULES_FILE as read at start: a list of rules, or rules with the sources allowed to
// raise alerts and the identity auto_execute runs act as; every problem named by its path.
import { describe, expect, it } from 'vitest';

import { sourceTrust, type AlertSource } from '../../src/alerts/alert-sources.js';
import { readSlackMessage } from '../../src/alerts/parse/slack-message.js';
import { describeAlertConfig, NO_ALERT_CONFIG, parseAlertConfig } from '../../src/alerts/rules-file.js';

const rule = { name: 'diskwatch', pattern: '^DISK ALERT on (?<host>\\S+)', type: 'disk_full', severity: 'high', host_group: 'host' };

describe('parseAlertConfig', () => {
  it('reads a bare list as rules, with no sources and no auto-run identity', () => {
    const config = parseAlertConfig([rule], 'f');
    expect(config.rules.map((r) => r.name)).toEqual(['diskwatch']);
    expect(config).toMatchObject({ sources: null, autoExecuteAs: null });
  });

  it('reads sources, the auto_execute identity and rules from an object', () => {
    const config = parseAlertConfig({ auto_execute_as: 'apikey:alerts', sources: [{ channel: '*', bots: ['B07AMGR0001'] }, { channel: 'C0OPS', apps: ['A07GRAFANA1'] }], rules: [rule] }, 'f');
    expect(config).toMatchObject({
      autoExecuteAs: 'apikey:alerts',
      sources: [
        { channel: '*', bots: ['B07AMGR0001'], apps: [] },
        { channel: 'C0OPS', bots: [], apps: ['A07GRAFANA1'] },
      ],
    });
    expect(config.rules).toHaveLength(1);
  });

  it('reads targets: labels and value maps per sender, every sender by default', () => {
    const config = parseAlertConfig({ targets: [{ from: ['alertmanager'], labels: ['machine'] }, { map: { '10.0.3.7:9100': 'db-01' } }] }, 'f');
    expect(config.targets).toEqual([
      { from: ['alertmanager'], labels: ['machine'], map: {} },
      { from: ['*'], labels: [], map: { '10.0.3.7:9100': 'db-01' } },
    ]);
    expect(parseAlertConfig([], 'f').targets).toEqual([]);
  });

  it('names each problem of a target by its path', () => {
    let problems: string[] = [];
    try {
      parseAlertConfig({ targets: [{ from: ['prometheus'], labels: ['not a label'] }, {}, { map: { x: ' ' } }] }, 'rules.yaml');
    } catch (e) {
      problems = (e as { problems: string[] }).problems;
    }
    expect(problems).toEqual([
      'rules.yaml: targets[0].from[0]: must be one of alertmanager, grafana, webhook, rules, * (got "prometheus")',
      'rules.yaml: targets[0].labels[0]: must be a label name (letters, digits, _)',
      'rules.yaml: targets[1]: name labels that name the machine, or a map from label values to device ids',
      'rules.yaml: targets[2].map.x: must name a device id',
    ]);
  });

  it('names every problem by its path in the file', () => {
    const problems = (() => {
      try {
        parseAlertConfig({ auto_execute_as: 'alerts', sources: [{ channel: 'ops' }, { channel: '*', bots: ['b1'] }], rules: [{ ...rule, severity: 'huge' }], extra: 1 }, 'rules.yaml');
        return [];
      } catch (e) {
        return (e as { problems: string[] }).problems;
      }
    })();
    expect(problems).toEqual(
      expect.arrayContaining([
        'rules.yaml: auto_execute_as: must be a permission subject: a user id (U…), a user group id (S…) or apikey:NAME',
        'rules.yaml: sources[0].channel: must be a channel id (C…, G…) or "*"',
        'rules.yaml: sources[0]: name at least one bot id (bots) or app id (apps)',
        'rules.yaml: sources[1].bots[0]: must be a bot id (B…)',
        'rules.yaml: extra: unknown field',
      ]),
    );
    expect(() => parseAlertConfig({ rules: [{ ...rule, severity: 'huge' }] }, 'rules.yaml')).toThrow(/rules\[0\]\.severity/);
  });

  it('says at start how alerts are read and whether anything runs by itself', () => {
    expect(describeAlertConfig(NO_ALERT_CONFIG).join('\n')).toMatch(/from any app are read and only suggested[\s\S]*only suggested \(set auto_execute_as/);
    expect(describeAlertConfig(parseAlertConfig({ auto_execute_as: 'U0BOT', sources: [{ channel: '*', bots: ['B1X'] }] }, 'f')).join('\n')).toMatch(
      /from 1 configured source\(s\) only[\s\S]*run as U0BOT, which needs/,
    );
    expect(describeAlertConfig(NO_ALERT_CONFIG)[2]).toMatch(/registered devices that an alert names in node, host/);
    expect(describeAlertConfig(parseAlertConfig({ targets: [{ labels: ['machine'] }] }, 'f'))[2]).toBe('alerts: playbooks act only on registered devices; 1 targets entry names machines per sender');
  });
});

describe('sourceTrust', () => {
  const sources: AlertSource[] = [
    { channel: '*', bots: ['B07AMGR0001'], apps: [] },
    { channel: 'C0OPS', bots: [], apps: ['A07GRAFANA1'] },
  ];
  const from = (fields: Record<string, unknown>) => readSlackMessage({ type: 'message', subtype: 'bot_message', ...fields })!;

  it.each([
    ['a listed bot, in any channel', 'C0ANY', { bot_id: 'B07AMGR0001' }, 'trusted'],
    ['a listed app, in its channel', 'C0OPS', { bot_id: 'B0OTHER', app_id: 'A07GRAFANA1' }, 'trusted'],
    ['a listed app, through its bot profile', 'C0OPS', { bot_profile: { id: 'B0OTHER', app_id: 'A07GRAFANA1' } }, 'trusted'],
    ['a listed app, in another channel', 'C0ELSE', { app_id: 'A07GRAFANA1' }, 'unknown'],
    ['an unlisted bot', 'C0OPS', { bot_id: 'B0IMPOSTOR' }, 'unknown'],
    ['a message without a sender', 'C0OPS', {}, 'unknown'],
  ])('%s is %s', (_what, channel, fields, trust) => {
    expect(sourceTrust(sources, channel, from(fields))).toBe(trust);
  });

  it('reads every sender as unverified when no sources are configured', () => {
    expect(sourceTrust(null, 'C0OPS', from({ bot_id: 'B0IMPOSTOR' }))).toBe('unverified');
  });
});

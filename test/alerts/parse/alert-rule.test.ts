import { describe, expect, it } from 'vitest';

import { AlertRule, parseAlertRules, recognizeSlackMessage, type AlertRuleInput } from '../../../src/alerts/parse/index.js';

const BASE: AlertRuleInput = { name: 'diskwatch', pattern: 'DISK ALERT on (?<host>\\S+):', type: 'disk_full', severity: 'high', host_group: 'host' };

function rule(change: Partial<AlertRuleInput> = {}): AlertRule {
  return AlertRule.parse({ ...BASE, ...change });
}

/** A post by a home-grown script through an incoming webhook. */
function scriptPost(text: string): Record<string, unknown> {
  return { type: 'message', subtype: 'bot_message', bot_id: 'B05SCRIPT01', username: 'cron', text, ts: '1718006520.000800' };
}

describe('AlertRule', () => {
  it('refuses a bad regex, naming the rule and the regex error', () => {
    const parsed = parseAlertRules([{ ...BASE, name: 'broken-disk', pattern: 'DISK (ALERT' }]);
    expect(parsed).toEqual({
      ok: false,
      problems: ['[0].pattern: rule "broken-disk": not a valid regular expression (Invalid regular expression: /DISK (ALERT/: Unterminated group)'],
    });
  });

  it('refuses a group that the pattern does not define, by name or by number', () => {
    const parsed = parseAlertRules([{ ...BASE, host_group: 'hostname', status_group: 2, key_groups: ['host', 'mount'] }]);
    expect(parsed.ok ? [] : parsed.problems).toEqual([
      '[0].host_group: rule "diskwatch": "hostname" is not a named group of the pattern (named groups: host)',
      '[0].status_group: rule "diskwatch": group 2 does not exist (the pattern has 1)',
      '[0].key_groups[1]: rule "diskwatch": "mount" is not a named group of the pattern (named groups: host)',
    ]);
  });

  it('names every bad field, unknown ones included, with its place in the list', () => {
    const parsed = parseAlertRules([BASE, { name: 'x', pattern: 'x', type: 'Disk Full', severity: 'urgent', flags: 'g', hostgroup: 1 }]);
    expect(parsed.ok ? [] : parsed.problems).toEqual([
      '[1].flags: may only hold the letters i, m, s and u',
      '[1].type: must be snake_case, such as disk_full',
      '[1].severity: must be one of low, medium, high, critical (got "urgent")',
      '[1].hostgroup: unknown field',
    ]);
  });

  it('says which required field is missing', () => {
    const parsed = parseAlertRules([{ name: 'x', pattern: 'x' }]);
    expect(parsed.ok ? [] : parsed.problems).toEqual(['[0].type: is required', '[0].severity: is required']);
  });

  it('accepts the rules of the example config with their regexes compiled', () => {
    const parsed = parseAlertRules([BASE]);
    expect(parsed.ok && parsed.rules[0]?.regex).toEqual(/DISK ALERT on (?<host>\S+):/);
  });
});

describe('rules applied to a message', () => {
  it('tries rules in order and uses the first that matches', () => {
    const first = rule({ name: 'first' });
    const second = rule({ name: 'second' });
    expect(recognizeSlackMessage(scriptPost('DISK ALERT on db-02: /var'), [first, second]).map((a) => a.recognizer)).toEqual(['rule:first']);
  });

  it('gives nothing when no rule matches', () => {
    expect(recognizeSlackMessage(scriptPost('backup finished in 42s'), [rule()])).toEqual([]);
  });

  it('reads the type, severity and host from numbered groups too', () => {
    const numbered = rule({ pattern: '^\\[(\\w+)\\] (\\w+) on ([\\w.:-]+)$', host_group: 3, type_group: 2, severity_group: 1 });
    expect(recognizeSlackMessage(scriptPost('[warning] DiskSpaceLow on db-02:9100'), [numbered])).toMatchObject([
      { type: 'disk_full', severity: 'medium', host: 'db-02', status: 'firing' },
    ]);
  });

  it('keeps the rule severity when the captured word is not a severity', () => {
    const numbered = rule({ pattern: '^\\[(\\w+)\\]', host_group: undefined, severity_group: 1 });
    expect(recognizeSlackMessage(scriptPost('[nightly] job failed'), [numbered])).toMatchObject([{ severity: 'high', host: null }]);
  });

  it('uses a fixed status when the rule sets one', () => {
    const recovered = rule({ pattern: 'RECOVERED on (?<host>\\S+)', status: 'resolved' });
    expect(recognizeSlackMessage(scriptPost('RECOVERED on db-02'), [recovered])).toMatchObject([{ status: 'resolved', host: 'db-02' }]);
  });

  it('matches attachment titles, texts and section blocks as well as the text', () => {
    const anyLine = rule({ pattern: '^DISK ALERT on (?<host>\\S+):', flags: 'm' });
    const inBlock = { ...scriptPost(''), blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'DISK ALERT on db-07: /srv' } }] };
    const inAttachment = { ...scriptPost('cron report'), attachments: [{ title: 'nightly', text: 'DISK ALERT on db-08: /srv' }] };
    expect(recognizeSlackMessage(inBlock, [anyLine]).map((a) => a.host)).toEqual(['db-07']);
    expect(recognizeSlackMessage(inAttachment, [anyLine]).map((a) => a.host)).toEqual(['db-08']);
  });

  it("matches Slack's escaped text as the sender wrote it", () => {
    const escaped = rule({ pattern: 'load > (?<load>\\d+) on (?<host>\\S+)', host_group: 'host' });
    expect(recognizeSlackMessage(scriptPost('load &gt; 40 on <http://web-01.example.com|web-01.example.com>'), [escaped])).toMatchObject([
      { host: 'web-01.example.com', labels: { load: '40', host: 'web-01.example.com' } },
    ]);
  });

  it('gives different fingerprints to the same rule on different hosts, and equal ones on the same host', () => {
    const [a] = recognizeSlackMessage(scriptPost('DISK ALERT on db-02: 97%'), [rule()]);
    const [b] = recognizeSlackMessage(scriptPost('DISK ALERT on db-03: 97%'), [rule()]);
    const [c] = recognizeSlackMessage(scriptPost('DISK ALERT on db-02: 99%'), [rule()]);
    expect(a?.fingerprint).not.toBe(b?.fingerprint);
    expect(a?.fingerprint).toBe(c?.fingerprint);
  });
});

import type { SectionBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';

import type { AlertDecision } from '../../../src/bot/views/alert-card.js';
import { ALERT_LIST_MAX_SHOWN, buildAlertList, type AlertListItem } from '../../../src/bot/views/alert-list.js';
import type { SlackMessage } from '../../../src/bot/views/types.js';
import { messageLimitProblems } from './support/block-limits.js';
import { allText, mrkdwnTexts } from './support/message-text.js';
import { MIN, NOW } from './support/records.js';

const INJECTION = '<!channel> <@U123> <http://x|y> &';
const ESCAPED = '&lt;!channel&gt; &lt;@U123&gt; &lt;http://x|y&gt; &amp;';

/** A firing service_down alert on web-01, last seen 5 minutes before NOW, nobody has acted. */
const alert = (over: Partial<AlertListItem> = {}): AlertListItem => ({
  fingerprint: '3f2a9c0d4b1e8a77c0ffee00',
  type: 'service_down',
  severity: 'high',
  status: 'firing',
  host: 'web-01',
  decisions: [],
  run_id: null,
  last_seen: NOW - 5 * MIN,
  ...over,
});

const decision = (over: Partial<AlertDecision> = {}): AlertDecision => ({
  action: 'dismiss',
  runbook_id: null,
  run_id: null,
  by: { kind: 'slack', id: 'U012AB3CD' },
  at: new Date(NOW - MIN),
  ...over,
});

/** Builds the list and checks it against every Block Kit limit, so no test can skip that. */
function list(alerts: AlertListItem[]): SlackMessage {
  const message = buildAlertList(alerts, { now: NOW });
  expect(messageLimitProblems(message)).toEqual([]);
  return message;
}

const lines = (message: SlackMessage) =>
  message.blocks.filter((b): b is SectionBlock => b.type === 'section').map((b) => b.text?.text);

describe('buildAlertList', () => {
  it('shows one line per alert: severity, type, host, status, age, decision or run, and the fingerprint’s start', () => {
    const message = list([
      alert({ run_id: 'run_abc123def456', decisions: [decision({ action: 'run', runbook_id: 'rnb_aaaaaaaaaaa1', run_id: 'run_abc123def456' })] }),
      alert({ type: 'disk_full', severity: 'critical', host: 'db-02', run_id: 'run_auto00000001', decisions: [decision({ action: 'auto_run', run_id: 'run_auto00000001' })] }),
      alert({ type: 'high_cpu', severity: 'medium', status: 'resolved', last_seen: NOW - 2 * 60 * MIN, decisions: [decision()] }),
      alert({ type: 'cert_expiry', severity: 'low', host: null, fingerprint: 'short', last_seen: NOW - 3 * 86_400_000 }),
    ]);
    expect(message.text).toBe('4 recent alerts');
    expect(message.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Recent alerts', emoji: true } });
    expect(lines(message)).toEqual([
      '🟠 *service_down* · web-01 · firing · 5m 00s ago · ▶️ `run_abc123def456` · `3f2a9c0d4b1e`',
      '🔴 *disk_full* · db-02 · firing · 5m 00s ago · ⚡ `run_auto00000001` · `3f2a9c0d4b1e`',
      '🟡 *high_cpu* · web-01 · resolved · 2h 00m ago · 🙈 dismissed by <@U012AB3CD> · `3f2a9c0d4b1e`',
      '🔵 *cert_expiry* · firing · 3d 00h ago · `short`',
    ]);
  });

  it('shows the run of an earlier episode when a refired alert has no run of its own yet', () => {
    const refired = alert({ run_id: null, decisions: [decision({ action: 'run', run_id: 'run_old000000001' })] });
    expect(lines(list([refired]))).toEqual(['🟠 *service_down* · web-01 · firing · 5m 00s ago · ▶️ `run_old000000001` · `3f2a9c0d4b1e`']);
  });

  it('says so when there are no alerts', () => {
    const message = list([]);
    expect(message.text).toBe('No alerts yet.');
    expect(lines(message)).toEqual(['No alerts yet.']);
  });

  it('escapes mentions, broadcasts and links in the type, host, fingerprint and who dismissed', () => {
    const message = list([
      alert({ type: INJECTION, host: INJECTION, fingerprint: '<!channel>', decisions: [decision({ by: { kind: 'api', id: 'k', name: INJECTION } })] }),
      alert({ decisions: [decision({ by: { kind: 'slack', id: '<!here>' } })] }),
    ]);
    for (const text of mrkdwnTexts(message)) expect(text).not.toMatch(/<!channel>|<!here>|<@U123>|<http:/);
    expect(lines(message)[0]).toBe(`🟠 *${ESCAPED}* · ${ESCAPED} · firing · 5m 00s ago · 🙈 dismissed by ${ESCAPED} · \`&lt;!channel&gt;\``);
    expect(lines(message)[1]).toContain('🙈 dismissed by slack:&lt;!here&gt;');
  });

  it('lists twenty at most, says how many it left out and stays within the limits whatever the alerts say', () => {
    const hostile = Array.from({ length: 45 }, (_, i) =>
      alert({
        type: '<'.repeat(5000),
        host: '&'.repeat(5000),
        fingerprint: `${'>'.repeat(300)}${i}`,
        run_id: `run_${'x'.repeat(500)}`,
      }),
    );
    const message = list(hostile);
    expect(lines(message)).toHaveLength(ALERT_LIST_MAX_SHOWN);
    expect(allText(message)).toContain('… and 25 more.');
    expect(message.text).toBe('45 recent alerts');
  });
});

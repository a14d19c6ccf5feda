import type { Button, KnownBlock, SectionBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';

import {
  ALERT_FINGERPRINT_MAX_CHARS,
  decodeAlertActionValue,
  encodeAlertActionValue,
} from '../../../src/bot/alert-action-value.js';
import { ActionId } from '../../../src/bot/slack-ids.js';
import {
  ALERT_CARD_MAX_MATCHES,
  buildAlertCard,
  severityEmoji,
  type AlertCardAlert,
  type AlertCardInput,
  type AlertCardMatch,
  type AlertDecision,
} from '../../../src/bot/views/alert-card.js';
import { SLACK_LIMITS } from '../../../src/bot/views/limits.js';
import type { SlackMessage } from '../../../src/bot/views/types.js';
import type { AlertTarget } from '../../../src/alerts/infer/index.js';
import { AppError, ErrorCode } from '../../../src/errors.js';
import { messageLimitProblems } from './support/block-limits.js';
import { allText, mrkdwnTexts } from './support/message-text.js';
import { MIN, NOW } from './support/records.js';

const FP = '3f2a9c0d4b1e8a77';
const INJECTION = '<!channel> <@U123> <http://x|y> &';
const ESCAPED = '&lt;!channel&gt; &lt;@U123&gt; &lt;http://x|y&gt; &amp;';

/** A firing service_down alert from Alertmanager on web-01, nobody has acted yet. */
const serviceDown = (over: Partial<AlertCardAlert> = {}): AlertCardAlert => ({
  fingerprint: FP,
  type: 'service_down',
  severity: 'high',
  status: 'firing',
  host: 'web-01',
  summary: 'nginx is not running on web-01',
  labels: { alertname: 'ServiceDown', service: 'nginx', env: 'production' },
  source: 'alertmanager',
  decisions: [],
  run_id: null,
  inferred: [],
  ...over,
});

const ON_WEB_01: AlertTarget = { device: 'web-01', reason: 'label instance=web-01:9100: the known device web-01' };

const restart: AlertCardMatch = {
  runbook_id: 'rnb_aaaaaaaaaaa1',
  name: 'Service Restart',
  version: 3,
  reason: 'type service_down · tags web · severity ≥ high',
  auto_execute: false,
  missing: [],
};
const triage: AlertCardMatch = {
  runbook_id: 'rnb_aaaaaaaaaaa2',
  name: 'Web Triage',
  version: 1,
  reason: 'type service_down',
  auto_execute: false,
  missing: ['serviceName'],
};

const decision = (over: Partial<AlertDecision> = {}): AlertDecision => ({
  action: 'dismiss',
  runbook_id: null,
  run_id: null,
  by: { kind: 'slack', id: 'U012AB3CD' },
  at: new Date(NOW - MIN),
  ...over,
});

/** Builds a card and checks it against every Block Kit limit, so no test can skip that. */
function card(over: Partial<AlertCardInput> = {}): SlackMessage {
  const message = buildAlertCard({ alert: serviceDown(), target: ON_WEB_01, matches: [restart, triage], now: NOW, ...over });
  expect(messageLimitProblems(message)).toEqual([]);
  return message;
}

const buttonsOf = (message: SlackMessage): Button[] =>
  message.blocks.flatMap((b: KnownBlock) => {
    if (b.type === 'actions') return b.elements.filter((e): e is Button => e.type === 'button');
    if (b.type === 'section' && b.accessory?.type === 'button') return [b.accessory];
    return [];
  });

const sectionTexts = (message: SlackMessage) =>
  message.blocks.filter((b): b is SectionBlock => b.type === 'section').map((b) => b.text?.text);

const ALERT_SECTION = { type: 'section', text: { type: 'mrkdwn', text: '🟠 *service_down* · high · on web-01\nnginx is not running on web-01', verbatim: true } };
const ALERT_CONTEXT = {
  type: 'context',
  elements: [
    { type: 'mrkdwn', text: 'From Alertmanager', verbatim: true },
    { type: 'mrkdwn', text: 'alertname: ServiceDown · service: nginx · env: production', verbatim: true },
    { type: 'mrkdwn', text: '🎯 Target `web-01`: label instance=web-01:9100: the known device web-01', verbatim: true },
  ],
};
const RESTART_TEXT = '*Service Restart* v3\ntype service_down · tags web · severity ≥ high';
const TRIAGE_TEXT = '*Web Triage* v1\ntype service_down\nasks for: `serviceName`';

describe('buildAlertCard', () => {
  it('shows the alert as understood and a Run button per matching playbook, in the order given, then one Dismiss', () => {
    const message = card();
    expect(message.text).toBe('Alert service_down on web-01: 2 matching playbooks');
    const runButton = (r: string, name: string) => ({
      type: 'button',
      action_id: ActionId.AlertRun,
      text: { type: 'plain_text', text: 'Run', emoji: true },
      style: 'primary',
      value: `{"f":"${FP}","r":"${r}"}`,
      accessibility_label: `Run ${name}`,
    });
    expect(message.blocks).toEqual([
      ALERT_SECTION,
      ALERT_CONTEXT,
      { type: 'section', text: { type: 'mrkdwn', text: RESTART_TEXT, verbatim: true }, accessory: runButton('rnb_aaaaaaaaaaa1', 'Service Restart') },
      { type: 'section', text: { type: 'mrkdwn', text: TRIAGE_TEXT, verbatim: true }, accessory: runButton('rnb_aaaaaaaaaaa2', 'Web Triage') },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: ActionId.AlertDismiss,
            text: { type: 'plain_text', text: 'Dismiss', emoji: true },
            value: `{"f":"${FP}"}`,
            accessibility_label: 'Dismiss the playbook suggestions for this alert',
          },
        ],
      },
    ]);
  });

  it('gives buttons values that decode back to the alert and the playbook', () => {
    const values = buttonsOf(card()).map((b) => ({ action: b.action_id, value: decodeAlertActionValue(b.value ?? '') }));
    expect(values).toEqual([
      { action: ActionId.AlertRun, value: { f: FP, r: 'rnb_aaaaaaaaaaa1' } },
      { action: ActionId.AlertRun, value: { f: FP, r: 'rnb_aaaaaaaaaaa2' } },
      { action: ActionId.AlertDismiss, value: { f: FP } },
    ]);
  });

  it('says no playbook matches, still shows the alert and offers no buttons', () => {
    const message = card({ matches: [] });
    expect(message.text).toBe('Alert service_down on web-01: no matching playbook');
    expect(message.blocks).toEqual([
      ALERT_SECTION,
      ALERT_CONTEXT,
      { type: 'section', text: { type: 'mrkdwn', text: 'No playbook matches this alert.', verbatim: true } },
    ]);
  });

  it('says who started which run and offers no buttons once a person started one', () => {
    const message = card({ started: { runbook_name: 'Service Restart', run_id: 'run_abc123def456', by: 'U012AB3CD', auto: false } });
    expect(message.text).toBe('Alert service_down on web-01: started Service Restart');
    expect(buttonsOf(message)).toEqual([]);
    expect(sectionTexts(message)).toEqual([
      ALERT_SECTION.text.text,
      RESTART_TEXT,
      TRIAGE_TEXT,
      '▶️ Started *Service Restart* (run `run_abc123def456`) by <@U012AB3CD>',
    ]);
  });

  it('says a playbook started automatically when its trigger asked for auto_execute', () => {
    const message = card({
      matches: [{ ...restart, auto_execute: true }],
      started: { runbook_name: 'Service Restart', run_id: 'run_abc123def456', by: 'system', auto: true },
    });
    expect(buttonsOf(message)).toEqual([]);
    expect(sectionTexts(message).at(-1)).toBe(
      '⚡ Started automatically: *Service Restart* (run `run_abc123def456`), as the playbook says (auto_execute)',
    );
  });

  it('offers Run again on a refired alert whose earlier run is still on record, since the caller says what this episode started', () => {
    const alert = serviceDown({
      run_id: 'run_abc123def456',
      decisions: [decision({ action: 'run', runbook_id: restart.runbook_id, run_id: 'run_abc123def456' })],
    });
    const message = card({ alert });
    expect(message.text).toBe('Alert service_down on web-01: 2 matching playbooks');
    expect(buttonsOf(message).map((b) => b.action_id)).toEqual([ActionId.AlertRun, ActionId.AlertRun, ActionId.AlertDismiss]);
  });

  it('says who dismissed the suggestions and offers no buttons when the latest decision is a dismiss', () => {
    const message = card({ alert: serviceDown({ decisions: [decision()] }) });
    expect(message.text).toBe('Alert service_down on web-01: dismissed');
    expect(buttonsOf(message)).toEqual([]);
    expect(sectionTexts(message)).toEqual([ALERT_SECTION.text.text, RESTART_TEXT, TRIAGE_TEXT, '🙈 Dismissed by <@U012AB3CD>']);
  });

  it('shows other actors as escaped text and never turns a malformed id into a mention', () => {
    const byAgent = card({ alert: serviceDown({ decisions: [decision({ by: { kind: 'agent', id: 'a1', name: INJECTION } })] }) });
    expect(sectionTexts(byAgent).at(-1)).toBe(`🙈 Dismissed by ${ESCAPED}`);
    const byCli = card({ alert: serviceDown({ decisions: [decision({ by: { kind: 'cli', id: 'U123' } })] }) });
    expect(sectionTexts(byCli).at(-1)).toBe('🙈 Dismissed by cli:U123');
    const lowercase = card({ alert: serviceDown({ decisions: [decision({ by: { kind: 'slack', id: 'u12|x>' } })] }) });
    expect(sectionTexts(lowercase).at(-1)).toBe('🙈 Dismissed by slack:u12|x&gt;');
    const startedBy = card({ started: { runbook_name: 'Service Restart', run_id: 'run_1', by: '<!here>', auto: false } });
    expect(sectionTexts(startedBy).at(-1)).toBe('▶️ Started *Service Restart* (run `run_1`) by &lt;!here&gt;');
  });

  it('goes by the latest decision only: a dismiss followed by a run is not shown as dismissed', () => {
    const alert = serviceDown({ decisions: [decision(), decision({ action: 'run', runbook_id: triage.runbook_id, run_id: 'run_abc' })] });
    expect(allText(card({ alert }))).not.toContain('Dismissed');
  });

  it('shows the run rather than the dismiss when the caller says a run started after it', () => {
    const message = card({
      alert: serviceDown({ decisions: [decision()] }),
      started: { runbook_name: 'Service Restart', run_id: 'run_1', by: 'U1', auto: false },
    });
    expect(sectionTexts(message).at(-1)).toBe('▶️ Started *Service Restart* (run `run_1`) by <@U1>');
  });

  it('marks a resolved alert resolved, keeps it readable and offers no buttons', () => {
    const message = card({ alert: serviceDown({ status: 'resolved' }) });
    expect(message.text).toBe('Alert service_down on web-01: resolved');
    expect(buttonsOf(message)).toEqual([]);
    expect(sectionTexts(message)).toEqual([ALERT_SECTION.text.text, RESTART_TEXT, TRIAGE_TEXT, '✅ Resolved']);

    const afterRun = card({ alert: serviceDown({ status: 'resolved' }), started: { runbook_name: 'Service Restart', run_id: 'run_1', by: 'U1', auto: false } });
    expect(sectionTexts(afterRun).slice(-2)).toEqual(['▶️ Started *Service Restart* (run `run_1`) by <@U1>', '✅ Resolved']);
  });

  it('escapes mentions, broadcasts and links in the summary, labels, host, type and playbook text', () => {
    const message = card({
      alert: serviceDown({ type: INJECTION, host: INJECTION, summary: INJECTION, labels: { service: INJECTION, [INJECTION]: 'x' }, inferred: [INJECTION] }),
      target: { device: INJECTION, reason: INJECTION },
      matches: [{ ...restart, name: INJECTION, reason: INJECTION, missing: [INJECTION] }],
      started: null,
    });
    for (const text of [message.text, ...mrkdwnTexts(message)]) {
      expect(text).not.toMatch(/<!channel>|<@U123>|<http:/);
    }
    const shown = allText(message);
    expect(shown).toContain(`🟠 *${ESCAPED}* · high · on ${ESCAPED}\n${ESCAPED}`);
    expect(shown).toContain(`service: ${ESCAPED} · &lt;!channel&gt;`);
    expect(shown).toContain(`*${ESCAPED}* v3\n${ESCAPED}\nasks for: \`${ESCAPED}\``);
    expect(message.text).toBe(`Alert ${ESCAPED} on ${ESCAPED}: 1 matching playbook`);
    expect(shown).toContain(`🎯 Target \`${ESCAPED}\`: ${ESCAPED}`);
    expect(shown).toContain(`label values, not labels): ${ESCAPED}`);
    const unknown = allText(card({ target: { device: null, reason: INJECTION } }));
    expect(unknown).toContain(`⚠️ Target unknown: ${ESCAPED}. Run asks which device`);
    // Nothing to run: the card does not promise a question nobody will be asked.
    const idle = allText(card({ target: { device: null, reason: 'the alert names no machine' }, matches: [] }));
    expect(idle).toContain('⚠️ Target unknown: the alert names no machine');
    expect(idle).not.toContain('Run asks');
  });

  it('stays within the limits with 100 labels and a 5,000-character summary, counting the labels it left out', () => {
    const labels = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`${'<'.repeat(300)}${i}`, '&'.repeat(1000)]));
    const message = card({ alert: serviceDown({ labels, summary: '<'.repeat(5000), host: '>'.repeat(5000), type: '&'.repeat(5000) }) });
    const shown = allText(message);
    expect(shown).toContain('+94 more');
    expect(shown).not.toMatch(/&(?!amp;|lt;|gt;)/);
  });

  it('shows five playbooks at most and points to the list for the rest, within the limits whatever their text', () => {
    const many = Array.from({ length: 12 }, (_, i) => ({
      ...restart,
      runbook_id: `rnb_${String(i).padStart(12, '0')}`,
      name: '<'.repeat(500),
      reason: '&'.repeat(3000),
      missing: Array.from({ length: 50 }, () => '>'.repeat(200)),
    }));
    const message = card({ matches: many });
    expect(buttonsOf(message).filter((b) => b.action_id === ActionId.AlertRun)).toHaveLength(ALERT_CARD_MAX_MATCHES);
    expect(allText(message)).toContain('+7 more matching playbooks: use `/runbook list`');
    expect(allText(message)).toContain('+40 more');
    expect(message.text).toBe('Alert service_down on web-01: 12 matching playbooks');
  });

  it('offers no buttons for a fingerprint too long to carry, and says how to start a playbook instead', () => {
    const message = card({ alert: serviceDown({ fingerprint: 'f'.repeat(ALERT_FINGERPRINT_MAX_CHARS + 1) }) });
    expect(buttonsOf(message)).toEqual([]);
    expect(allText(message)).toContain("This alert's fingerprint is too long for buttons. Start a playbook with `/runbook start NAME`.");
  });

  it('marks each severity with its emoji, names no machine unless the target is certain, and says what was inferred', () => {
    expect(['critical', 'high', 'medium', 'low'].map((s) => severityEmoji(s as 'low'))).toEqual(['🔴', '🟠', '🟡', '🔵']);
    const kube = serviceDown({ severity: 'critical', host: '10.244.1.7', summary: '', labels: {}, source: 'slack', inferred: ['type kube_pod_crash_looping: …', 'severity medium: …'] });
    const target = { device: null, reason: 'the title names 10.244.1.7:8080, which is no known device' };
    const message = card({ alert: kube, target, matches: [restart] });
    expect(message.text).toBe('Alert service_down: 1 matching playbook');
    expect(message.blocks.slice(0, 3)).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: '🔴 *service_down* · critical', verbatim: true } },
      {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: 'From a Slack message', verbatim: true },
          { type: 'mrkdwn', text: '⚠️ Target unknown: the title names 10.244.1.7:8080, which is no known device. Run asks which device; nothing starts by itself on it.', verbatim: true },
        ],
      },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: 'Inferred (a Slack title names label values, not labels): type kube_pod_crash_looping: …; severity medium: …', verbatim: true }],
      },
    ]);
  });
});

describe('alert button values', () => {
  it('decode back to what was encoded', () => {
    for (const value of [{ f: FP, r: 'rnb_aaaaaaaaaaa1' }, { f: FP }, { f: 'a"b\\c\u0001ü' }]) {
      expect(decodeAlertActionValue(encodeAlertActionValue(value))).toEqual(value);
    }
  });

  it('stay within Slack’s 2,000 characters for the longest fingerprint, even all control characters', () => {
    const raw = encodeAlertActionValue({ f: '\u0001'.repeat(ALERT_FINGERPRINT_MAX_CHARS), r: `rnb_${'a'.repeat(64)}` });
    expect(raw.length).toBeLessThanOrEqual(SLACK_LIMITS.buttonValue);
  });

  it.each([
    ['not JSON', 'nope', /not JSON/],
    ['no fingerprint', '{"r":"rnb_aaaaaaaaaaa1"}', /f: /],
    ['an empty fingerprint', '{"f":""}', /f: /],
    ['a runbook id that is not one', '{"f":"abc","r":"run_1"}', /r: must be a runbook id/],
    ['an unknown key', '{"f":"abc","x":1}', /unrecognized key/i],
    ['a fingerprint that is too long', JSON.stringify({ f: 'f'.repeat(ALERT_FINGERPRINT_MAX_CHARS + 1) }), /f: /],
    ['a value longer than Slack allows', `{"f":"${'f'.repeat(2100)}"}`, /more than 2000/],
    ['an array', '[]', /\(value\): /],
  ])('refuse %s with a validation error naming the problem', (_name, raw, problem) => {
    let thrown: unknown;
    try {
      decodeAlertActionValue(raw);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect((thrown as AppError).code).toBe(ErrorCode.Validation);
    expect((thrown as AppError).message).toMatch(/^This alert button's value is malformed \(/);
    expect((thrown as AppError).message).toMatch(problem);
  });

  it('are never encoded from a value decode would refuse', () => {
    expect(() => encodeAlertActionValue({ f: FP, r: 'not-a-runbook' })).toThrow(/r: must be a runbook id/);
    expect(() => encodeAlertActionValue({ f: '' })).toThrow(AppError);
  });
});

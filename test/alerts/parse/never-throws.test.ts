import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { ALERT_SOURCES, ALERT_STATUSES, SEVERITIES, type Alert } from '../../../src/alerts/alert.js';
import { parseAlertRules, parseAlertmanagerWebhook, parseGenericAlert, recognizeSlackMessage } from '../../../src/alerts/parse/index.js';
import { fixtureRules } from './support/fixtures.js';

const rules = fixtureRules();

function isAlert(value: Alert): boolean {
  return (
    ALERT_SOURCES.includes(value.source) &&
    ALERT_STATUSES.includes(value.status) &&
    SEVERITIES.includes(value.severity) &&
    /^[a-z0-9_]+$/.test(value.type) &&
    typeof value.fingerprint === 'string' &&
    value.fingerprint !== ''
  );
}

// Text shaped like what the recognisers look for, so the search reaches past the first check.
const alertish = fc.oneof(
  fc.string(),
  fc.constantFrom('[FIRING:1] X (a:1 critical)', '[RESOLVED] ', '[FIRING:2, RESOLVED:1]', '[Alerting] ', '[OK] ', 'DISK ALERT on db-02: /var at 97%'),
  fc.tuple(fc.constantFrom('**Firing**\n', 'Labels:\n', 'Annotations:\n', ' - alertname = ', 'Value: ', '• *a:* `b`\n'), fc.string()).map(([a, b]) => a + b),
);
const attachment = fc.record(
  { title: alertish, text: fc.array(alertish).map((parts) => parts.join('\n')), fallback: alertish, footer: fc.constantFrom('Grafana v11', 'x'), title_link: fc.string() },
  { requiredKeys: [] },
);
const slackish = fc.record(
  { type: fc.constant('message'), subtype: fc.constantFrom('bot_message', 'message_changed'), bot_id: fc.string(), text: alertish, attachments: fc.array(fc.oneof(attachment, fc.jsonValue())) },
  { requiredKeys: [] },
);

describe('the parsers never throw', () => {
  it('recognizeSlackMessage returns alerts or [] for any JSON and any message-shaped input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), slackish), (input) => {
        expect(recognizeSlackMessage(input, rules).every(isAlert)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('the webhook parsers and the rule checker return a result, never an exception, for any JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (input) => {
        for (const result of [parseAlertmanagerWebhook(input), parseGenericAlert(input)]) {
          if (result.ok) expect(result.alerts.every(isAlert)).toBe(true);
          else expect(result.problems.length).toBeGreaterThan(0);
        }
        expect(typeof parseAlertRules(input).ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });
});

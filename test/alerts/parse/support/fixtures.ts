// Reads the real-shaped payloads in test/fixtures/alerts/.
import { readFileSync } from 'node:fs';

import { parseAlertRules, type AlertRule } from '../../../../src/alerts/parse/index.js';

const dir = new URL('../../../fixtures/alerts/', import.meta.url);

export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as unknown;
}

/** The `event` of an `event_callback` fixture: the message object the listener receives. */
export function slackEvent(name: string): Record<string, unknown> {
  return (fixture(name) as { event: Record<string, unknown> }).event;
}

/** The configured rules of alert-rules.json, checked. */
export function fixtureRules(): AlertRule[] {
  const parsed = parseAlertRules(fixture('alert-rules.json'));
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.rules;
}

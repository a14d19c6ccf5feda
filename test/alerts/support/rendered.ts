// The notifications tools/alert-fixtures rendered with Alertmanager's own notifiers
// (test/fixtures/alerts/rendered), and the message event Slack makes of a Slack body.
import { readFileSync } from 'node:fs';

export interface RenderedNotification {
  step: string;
  alerts: Array<{ labels: Record<string, string>; status: 'firing' | 'resolved' }>;
  /** The body Alertmanager's Slack notifier posted. */
  slack: { attachments: Record<string, unknown>[]; text?: string; username?: string };
  /** The body Alertmanager's webhook notifier posted. */
  webhook: Record<string, unknown>;
}

export interface RenderedScenario {
  scenario: string;
  route: { group_by: string[] };
  notifications: RenderedNotification[];
}

export function renderedScenario(name: string): RenderedScenario {
  return JSON.parse(readFileSync(new URL(`../../fixtures/alerts/rendered/${name}.json`, import.meta.url), 'utf8')) as RenderedScenario;
}

/** The `message` event a channel member sees for a notifier's post (Slack numbers the attachments). */
export function slackMessageOf(body: RenderedNotification['slack'], ts = '1718006432.000200'): Record<string, unknown> {
  return {
    type: 'message',
    subtype: 'bot_message',
    text: body.text ?? '',
    ts,
    username: body.username ?? 'Alertmanager',
    bot_id: 'B07AMGR0001',
    attachments: body.attachments.map((attachment, i) => ({ id: i + 1, ...attachment })),
    channel: 'C024BE91L',
  };
}

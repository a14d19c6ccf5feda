// Decides whether a channel message is an alert and reads it. Built-in recognisers first
// (they know their sender's format better than any regex), then the configured rules.
// Anything else, including every malformed payload, is quietly not an alert: [].
import type { Alert } from '../alert.js';
import type { AlertRule } from './alert-rule.js';
import { recognizeAlertmanagerAttachment } from './alertmanager-slack.js';
import { recognizeGrafanaAttachment } from './grafana-slack.js';
import { recognizeByRules } from './rule-recognizer.js';
import { isFromOtherApp, readSlackMessage, wholeText, type SelfIdentity } from './slack-message.js';

export interface RecognizeOptions {
  /** The bot's own ids (from auth.test): its messages are never alerts. */
  self?: SelfIdentity;
}

/**
 * Reads a Slack Events API `message` event (the `event` of an `event_callback`). Edits
 * (`message_changed`) carry the new message in `message`: unwrap it before calling, if wanted.
 */
export function recognizeSlackMessage(message: unknown, rules: readonly AlertRule[] = [], options: RecognizeOptions = {}): Alert[] {
  const read = readSlackMessage(message);
  if (!read || !isFromOtherApp(read, options.self)) return [];
  const builtIn = (read.attachments ?? []).flatMap((attachment) => recognizeAlertmanagerAttachment(attachment) ?? recognizeGrafanaAttachment(attachment) ?? []);
  if (builtIn.length > 0) return builtIn;
  return recognizeByRules(wholeText(read), rules);
}

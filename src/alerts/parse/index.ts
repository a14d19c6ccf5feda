// The pure alert parsers: Slack messages, Alertmanager's webhook, the generic JSON alert.
// No I/O and no clock: listeners and routes call these and store what they return.
export { recognizeSlackMessage, type RecognizeOptions } from './recognize-slack-message.js';
export { parseAlertmanagerWebhook, AlertmanagerWebhook } from './alertmanager-webhook.js';
export { parseGenericAlert, GenericAlert } from './generic-alert.js';
export { AlertRule, parseAlertRules, type AlertRuleInput } from './alert-rule.js';
export type { ParseResult } from './problems.js';
export type { SelfIdentity } from './slack-message.js';
export { alertTypeOf, typeFromName, severityOf, severityWord, hostOf, stripPort, snakeCase } from './normalize.js';
export { deriveFingerprint } from './fingerprint.js';

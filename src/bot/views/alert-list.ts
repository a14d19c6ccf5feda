// `/runbook alerts`: recent alerts, one line each, in the order the store returns them (most
// recently seen first): severity, type, host, firing or resolved, when last seen, what was
// decided, and the fingerprint's start. Alert text is untrusted: escaped and cut.
import type { StoredAlert } from '../../models/alert-store.js';
import { SLACK_LIMITS } from './limits.js';
import { code, truncate } from './mrkdwn.js';
import { alertTitleParts, formatAlertActor, latestDecision, severityEmoji } from './alert-card.js';
import { contextBlock, formatDuration, plainText, sectionBlock } from './run-format.js';
import type { KnownBlock, SlackMessage } from './types.js';

/** An alert as the alert store lists it (`StoredAlert` fits). */
export type AlertListItem = Pick<StoredAlert, 'fingerprint' | 'type' | 'severity' | 'status' | 'host' | 'decisions' | 'run_id' | 'last_seen'>;

/** Alerts listed at most; `/runbook alerts` asks the store for this many. */
export const ALERT_LIST_MAX_SHOWN = 20;
/** Characters of the fingerprint shown, like a short commit hash. */
export const FINGERPRINT_SHOWN_CHARS = 12;
const RUN_ID_CHARS = 80;

/** `▶️ \`run_…\``, `⚡ \`run_…\`` (started automatically), `🙈 dismissed by …`, or null. */
function decisionText(alert: AlertListItem): string | null {
  const runId = alert.run_id ?? null;
  if (runId !== null) {
    const auto = latestDecision(alert, (d) => d.run_id === runId)?.action === 'auto_run';
    return `${auto ? '⚡' : '▶️'} ${code(truncate(runId, RUN_ID_CHARS))}`;
  }
  const last = latestDecision(alert);
  if (last === null) return null;
  if (last.action === 'dismiss') return `🙈 dismissed by ${formatAlertActor(last.by)}`;
  if (last.run_id) return `${last.action === 'auto_run' ? '⚡' : '▶️'} ${code(truncate(last.run_id, RUN_ID_CHARS))}`;
  return null;
}

/** `🟠 *service_down* · web-01 · firing · 5m 00s ago · ▶️ \`run_…\` · \`0123456789ab\``. */
export function alertLine(alert: AlertListItem, now: number): string {
  const { type, host } = alertTitleParts(alert);
  const parts = [`${severityEmoji(alert.severity)} *${type}*`];
  if (host !== null) parts.push(host);
  parts.push(alert.status, `${formatDuration(now - alert.last_seen)} ago`);
  const decision = decisionText(alert);
  if (decision !== null) parts.push(decision);
  parts.push(code(truncate(alert.fingerprint, FINGERPRINT_SHOWN_CHARS, '')));
  return truncate(parts.join(' · '), SLACK_LIMITS.sectionText);
}

export function buildAlertList(alerts: readonly AlertListItem[], opts: { now: number }): SlackMessage {
  const blocks: KnownBlock[] = [{ type: 'header', text: plainText('Recent alerts') }];
  if (alerts.length === 0) {
    blocks.push(sectionBlock('No alerts yet.'));
    return { text: 'No alerts yet.', blocks };
  }
  for (const alert of alerts.slice(0, ALERT_LIST_MAX_SHOWN)) blocks.push(sectionBlock(alertLine(alert, opts.now)));
  const hidden = alerts.length - ALERT_LIST_MAX_SHOWN;
  if (hidden > 0) blocks.push(contextBlock(`… and ${hidden} more.`));
  return { text: `${alerts.length} recent alert${alerts.length === 1 ? '' : 's'}`, blocks };
}

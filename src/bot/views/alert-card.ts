// The card the bot posts in an alert's thread: the alert as understood (type, severity, host,
// summary, a few labels) and one section per matching playbook with a Run button, plus one
// Dismiss button. Re-rendered in place when someone runs or dismisses, when a playbook starts
// on its own, and when the alert resolves; the run's own message follows in the thread.
// Everything the alert carries came from a monitoring system or a webhook and is untrusted:
// it is escaped (no mentions, no links) and cut to fit Block Kit's limits.
import type { ActionsBlock, Button, KnownBlock, SectionBlock } from '@slack/types';

import type { AlertSource, Severity } from '../../alerts/alert.js';
import type { AlertTarget } from '../../alerts/infer/index.js';
import type { AlertDecisionDoc } from '../../models/alert-model.js';
import type { StoredAlert } from '../../models/alert-store.js';
import { encodeAlertActionValue, isButtonFingerprint } from '../alert-action-value.js';
import { ActionId, SLASH_COMMAND } from '../slack-ids.js';
import { SLACK_LIMITS } from './limits.js';
import { code, escapeMrkdwn, truncate } from './mrkdwn.js';
import { contextBlock, plainText, sectionBlock } from './run-format.js';
import type { SlackMessage } from './types.js';
import type { AlertCardMatch, AlertCardStart } from '../../services/alerts.js';

export type AlertCardAlert = Pick<
  StoredAlert,
  'fingerprint' | 'type' | 'severity' | 'status' | 'host' | 'summary' | 'labels' | 'source' | 'decisions' | 'run_id' | 'inferred'
>;

export type { AlertCardMatch, AlertCardStart } from '../../services/alerts.js';

export interface AlertCardInput {
  /**
   * The stored alert. A refired alert keeps the decisions of earlier episodes on record: pass
   * only this episode's, or an old Dismiss would show on the new card.
   */
  alert: AlertCardAlert;
  /** The device a playbook would act on, or why none is certain. */
  target: AlertTarget;
  matches: AlertCardMatch[];
  /**
   * The run this episode started, if any: the card then offers no buttons. It is not read
   * from alert.run_id, which a refired alert keeps from its last episode.
   */
  started?: AlertCardStart | null;
  /** Render time. The card stays posted, so it shows no relative times ("5m ago"). */
  now: number;
}

export type AlertDecision = AlertDecisionDoc;
export type AlertActor = AlertDecisionDoc['by'];

/** Playbooks shown with a Run button; the rest are counted. */
export const ALERT_CARD_MAX_MATCHES = 5;
/** Labels shown on the card; the rest are counted. */
export const ALERT_CARD_MAX_LABELS = 6;

// Budgets after escaping (escaping can make text up to five times longer; cuts never split
// an escape sequence).
const TYPE_CHARS = 100;
const HOST_CHARS = 100;
const SUMMARY_CHARS = 1500;
const LABEL_KEY_CHARS = 40;
const LABEL_VALUE_CHARS = 100;
const NAME_CHARS = 150;
const REASON_CHARS = 300;
const VARIABLE_CHARS = 60;
const MISSING_SHOWN = 10;
const ACTOR_CHARS = 80;
const TARGET_CHARS = 400;
const INFERRED_CHARS = 300;
/** Inferred lines shown; Block Kit allows 10 elements in a context block. */
const INFERRED_SHOWN = 4;
const RUN_ID_CHARS = 80;
/** Block Kit's limit for a button's accessibility_label (not in SLACK_LIMITS yet). */
const ACCESSIBILITY_LABEL_CHARS = 75;

const SEVERITY_EMOJI: Readonly<Record<Severity, string>> = { critical: '🔴', high: '🟠', medium: '🟡', low: '🔵' };

const SOURCE_WORDS: Readonly<Record<AlertSource, string>> = {
  slack: 'a Slack message',
  alertmanager: 'Alertmanager',
  grafana: 'Grafana',
  webhook: 'a webhook',
};

/** Slack user ids (U…, W… for Enterprise Grid): the only actors shown as `<@…>`. */
const SLACK_USER_ID = /^[UW][A-Z0-9]+$/;

/** 🔴 critical, 🟠 high, 🟡 medium, 🔵 low. */
export function severityEmoji(severity: Severity): string {
  return SEVERITY_EMOJI[severity] ?? '⚪';
}

/**
 * Who decided: a Slack actor with a well-formed user id (or a bare string that is one) becomes
 * a mention; anyone else is their name, or `kind:id`, escaped and cut.
 */
export function formatAlertActor(by: AlertActor | string, maxChars = ACTOR_CHARS): string {
  if (typeof by === 'string') {
    if (SLACK_USER_ID.test(by)) return `<@${by}>`;
    return by.trim() === '' ? 'someone' : truncate(escapeMrkdwn(by), maxChars);
  }
  if (by.kind === 'slack' && SLACK_USER_ID.test(by.id)) return `<@${by.id}>`;
  const name = by.name !== undefined && by.name.trim() !== '' ? by.name : `${by.kind}:${by.id}`;
  return truncate(escapeMrkdwn(name), maxChars);
}

/**
 * The most recent decision on the alert (decisions are appended), or the most recent one
 * `where` accepts; null when there is none.
 */
export function latestDecision(
  alert: { decisions: readonly AlertDecision[] },
  where: (decision: AlertDecision) => boolean = () => true,
): AlertDecision | null {
  for (let i = alert.decisions.length - 1; i >= 0; i -= 1) {
    const decision = alert.decisions[i] as AlertDecision;
    if (where(decision)) return decision;
  }
  return null;
}

/** The alert's type and host (null when it names none), escaped and cut. */
export function alertTitleParts(alert: Pick<AlertCardAlert, 'type' | 'host'>): { type: string; host: string | null } {
  return {
    type: truncate(escapeMrkdwn(alert.type), TYPE_CHARS),
    host: alert.host ? truncate(escapeMrkdwn(alert.host), HOST_CHARS) : null,
  };
}

/** `*service_down* · high · on web-01`, escaped and cut. */
export function alertTitle(alert: Pick<AlertCardAlert, 'type' | 'severity' | 'host'>): string {
  const { type, host } = alertTitleParts(alert);
  return `*${type}* · ${alert.severity}${host === null ? '' : ` · on ${host}`}`;
}

/** The alert section: emoji, title (with the device only when it is certain) and the summary. */
function alertSection(alert: AlertCardAlert, target: AlertTarget): SectionBlock {
  const summary = alert.summary.trim() === '' ? '' : `\n${truncate(escapeMrkdwn(alert.summary.trim()), SUMMARY_CHARS)}`;
  const title = alertTitle({ ...alert, host: target.device });
  return sectionBlock(truncate(`${severityEmoji(alert.severity)} ${title}${summary}`, SLACK_LIMITS.sectionText));
}

/** The machine a playbook would act on, or why there is none: every card says. */
export function targetLine(target: AlertTarget, offersRun: boolean): string {
  const reason = truncate(escapeMrkdwn(target.reason), TARGET_CHARS);
  if (target.device !== null) return `🎯 Target ${code(truncate(target.device, HOST_CHARS))}: ${reason}`;
  return `⚠️ Target unknown: ${reason}${offersRun ? '. Run asks which device; nothing starts by itself on it.' : ''}`;
}

/** What was inferred from a title rather than read from named labels, or null. */
function inferredBlock(inferred: readonly string[]): KnownBlock | null {
  if (inferred.length === 0) return null;
  const lines = inferred.slice(0, INFERRED_SHOWN).map((line) => truncate(escapeMrkdwn(line), INFERRED_CHARS));
  return contextBlock(`Inferred (a Slack title names label values, not labels): ${lines.join('; ')}`);
}

/** `service: nginx · env: production · +3 more`, or null without labels. */
export function labelsText(labels: Readonly<Record<string, string>>, max = ALERT_CARD_MAX_LABELS): string | null {
  const entries = Object.entries(labels);
  if (entries.length === 0) return null;
  const shown = entries
    .slice(0, max)
    .map(([key, value]) => `${truncate(escapeMrkdwn(key), LABEL_KEY_CHARS)}: ${truncate(escapeMrkdwn(String(value)), LABEL_VALUE_CHARS)}`);
  const hidden = entries.length - shown.length;
  return shown.join(' · ') + (hidden > 0 ? ` · +${hidden} more` : '');
}

/** `` `serviceName`, `deviceId` ``, at most MISSING_SHOWN of them and "+N more". */
function missingText(missing: readonly string[]): string {
  const shown = missing.slice(0, MISSING_SHOWN).map((name) => code(truncate(name, VARIABLE_CHARS)));
  const hidden = missing.length - shown.length;
  return shown.join(', ') + (hidden > 0 ? ` +${hidden} more` : '');
}

function matchBlock(match: AlertCardMatch, fingerprint: string | null): SectionBlock {
  const lines = [`*${truncate(escapeMrkdwn(match.name), NAME_CHARS)}* v${match.version}`];
  if (match.reason.trim() !== '') lines.push(truncate(escapeMrkdwn(match.reason.trim()), REASON_CHARS));
  if (match.missing.length > 0) lines.push(`asks for: ${missingText(match.missing)}`);
  const block = sectionBlock(truncate(lines.join('\n'), SLACK_LIMITS.sectionText));
  if (fingerprint === null) return block;
  const run: Button = {
    type: 'button',
    action_id: ActionId.AlertRun,
    text: plainText('Run'),
    style: 'primary',
    value: encodeAlertActionValue({ f: fingerprint, r: match.runbook_id }),
    // plain_text needs no escaping, only a length cut.
    accessibility_label: truncate(`Run ${match.name}`, ACCESSIBILITY_LABEL_CHARS),
  };
  return { ...block, accessory: run };
}

function dismissBlock(fingerprint: string): ActionsBlock {
  const dismiss: Button = {
    type: 'button',
    action_id: ActionId.AlertDismiss,
    text: plainText('Dismiss'),
    value: encodeAlertActionValue({ f: fingerprint }),
    accessibility_label: 'Dismiss the playbook suggestions for this alert',
  };
  return { type: 'actions', elements: [dismiss] };
}

/** A started run as the card shows it; the name and the actor already escaped. */
interface ShownStart {
  name: string;
  runId: string;
  by: string | null;
  auto: boolean;
}

/**
 * The run this episode of the alert started, as the caller says. Not read from alert.run_id:
 * a refired alert keeps its last run on record, and once that run is over the new card must
 * offer Run again.
 */
function startOf(started: AlertCardStart | null | undefined): ShownStart | null {
  if (!started) return null;
  return {
    name: escapeMrkdwn(started.runbook_name),
    runId: started.run_id,
    by: started.auto ? null : formatAlertActor(started.by),
    auto: started.auto,
  };
}

/** `▶️ Started *Service Restart* (run `run_…`) by <@U…>`, or `⚡ Started automatically: …`. */
function startLine(start: ShownStart): string {
  const what = `*${truncate(start.name, NAME_CHARS)}*`;
  const run = `(run ${code(truncate(start.runId, RUN_ID_CHARS))})`;
  if (start.auto) return `⚡ Started automatically: ${what} ${run}, as the playbook says (auto_execute)`;
  return `▶️ Started ${what} ${run}${start.by === null ? '' : ` by ${start.by}`}`;
}

function fallbackText(alert: Pick<AlertCardAlert, 'type' | 'host'>, state: { resolved: boolean; start: ShownStart | null; dismissed: boolean }, matchCount: number): string {
  const { type, host } = alertTitleParts(alert);
  const base = `Alert ${type}${host === null ? '' : ` on ${host}`}`;
  if (state.resolved) return `${base}: resolved`;
  if (state.start !== null) return `${base}: started ${truncate(state.start.name, NAME_CHARS)}`;
  if (state.dismissed) return `${base}: dismissed`;
  if (matchCount === 0) return `${base}: no matching playbook`;
  return `${base}: ${matchCount} matching playbook${matchCount === 1 ? '' : 's'}`;
}

/**
 * The alert card. Run and Dismiss show only while the alert fires and nobody has acted:
 * once a run started, the alert was dismissed or it resolved, the card says so instead and
 * keeps showing the alert and its playbooks.
 */
export function buildAlertCard(input: AlertCardInput): SlackMessage {
  const { alert, matches } = input;
  const resolved = alert.status === 'resolved';
  const start = startOf(input.started);
  const last = latestDecision(alert);
  const dismissedBy = start === null && last?.action === 'dismiss' ? formatAlertActor(last.by) : null;
  const open = !resolved && start === null && dismissedBy === null && matches.length > 0;
  const buttons = open && isButtonFingerprint(alert.fingerprint);

  const about = [`From ${SOURCE_WORDS[alert.source] ?? escapeMrkdwn(String(alert.source))}`];
  const labels = labelsText(alert.labels);
  if (labels !== null) about.push(truncate(labels, SLACK_LIMITS.sectionText));
  const blocks: KnownBlock[] = [alertSection(alert, input.target), contextBlock(...about, targetLine(input.target, open))];
  const inferred = inferredBlock(alert.inferred ?? []);
  if (inferred !== null) blocks.push(inferred);

  if (matches.length === 0) blocks.push(sectionBlock('No playbook matches this alert.'));
  for (const match of matches.slice(0, ALERT_CARD_MAX_MATCHES)) blocks.push(matchBlock(match, buttons ? alert.fingerprint : null));
  const hidden = matches.length - ALERT_CARD_MAX_MATCHES;
  if (hidden > 0) {
    blocks.push(contextBlock(`+${hidden} more matching playbook${hidden === 1 ? '' : 's'}: use ${code(`${SLASH_COMMAND} list`)}`));
  }

  if (start !== null) blocks.push(sectionBlock(startLine(start)));
  if (dismissedBy !== null) blocks.push(sectionBlock(`🙈 Dismissed by ${dismissedBy}`));
  if (resolved) blocks.push(sectionBlock('✅ Resolved'));
  if (buttons) blocks.push(dismissBlock(alert.fingerprint));
  else if (open) {
    // The fingerprint cannot travel in a button value; say how to go on without buttons.
    blocks.push(contextBlock(`This alert's fingerprint is too long for buttons. Start a playbook with ${code(`${SLASH_COMMAND} start NAME`)}.`));
  }

  const text = fallbackText({ type: alert.type, host: input.target.device }, { resolved, start, dismissed: dismissedBy !== null }, matches.length);
  return { text: truncate(text, SLACK_LIMITS.messageText), blocks };
}

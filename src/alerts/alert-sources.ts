// Who may raise alerts in a channel: the bots and apps (Alertmanager's, Grafana's, a
// script's webhook) listed per channel in ALERT_RULES_FILE. Any app can post in a channel
// the bot is in, so without a list an alert is only suggested, never run by itself; with
// one, a message from anyone else is not an alert at all.
import { z } from 'zod';

import type { SlackMessage } from './parse/slack-message.js';

const SLACK_ID = /^[A-Z0-9]{2,32}$/;

export const AlertSource = z
  .strictObject({
    /** A channel id, or "*" for every channel the bot is in. */
    channel: z.string().refine((c) => c === '*' || /^[CG][A-Z0-9]{2,32}$/.test(c), { error: 'must be a channel id (C…, G…) or "*"' }),
    bots: z.array(z.string().regex(SLACK_ID, { error: 'must be a bot id (B…)' })).default([]),
    apps: z.array(z.string().regex(SLACK_ID, { error: 'must be an app id (A…)' })).default([]),
  })
  .refine((s) => s.bots.length + s.apps.length > 0, { error: 'name at least one bot id (bots) or app id (apps)' });
export type AlertSource = z.output<typeof AlertSource>;

/**
 * `trusted`: a listed source; `unverified`: no sources are configured, so the alert is read
 * but only suggested; `unknown`: sources are configured and this is none of them.
 */
export type SourceTrust = 'trusted' | 'unverified' | 'unknown';

/** The sender's ids as Slack gives them (on the message, or in its bot profile). */
export function senderOf(message: SlackMessage): { botId: string | null; appId: string | null } {
  return { botId: message.bot_id ?? message.bot_profile?.id ?? null, appId: message.app_id ?? message.bot_profile?.app_id ?? null };
}

export function sourceTrust(sources: readonly AlertSource[] | null, channel: string, message: SlackMessage): SourceTrust {
  if (sources === null) return 'unverified';
  const { botId, appId } = senderOf(message);
  const listed = sources.some(
    (s) => (s.channel === '*' || s.channel === channel) && ((botId !== null && s.bots.includes(botId)) || (appId !== null && s.apps.includes(appId))),
  );
  return listed ? 'trusted' : 'unknown';
}

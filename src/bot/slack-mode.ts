// Which way the bot talks to Slack, decided from the environment: Socket Mode when an app
// token is set, HTTP (Events API) when a signing secret is, and not at all otherwise, with
// the list of what is missing so the first lines of the log say how to fix it.
import type { Config } from '../config/env.js';

export type SlackMode =
  | { kind: 'http'; botToken: string; signingSecret: string }
  | { kind: 'socket'; botToken: string; appToken: string }
  | { kind: 'off'; missing: string[] };

export function slackMode(config: Pick<Config, 'slackBotToken' | 'slackSigningSecret' | 'slackAppToken'>): SlackMode {
  const { slackBotToken: botToken, slackSigningSecret: signingSecret, slackAppToken: appToken } = config;
  if (botToken && appToken) return { kind: 'socket', botToken, appToken };
  if (botToken && signingSecret) return { kind: 'http', botToken, signingSecret };
  const missing: string[] = [];
  if (!botToken) missing.push('SLACK_BOT_TOKEN (OAuth & Permissions → Bot User OAuth Token, xoxb-…)');
  if (!signingSecret && !appToken) {
    missing.push('SLACK_SIGNING_SECRET (Basic Information → Signing Secret) for HTTP, or SLACK_APP_TOKEN (xapp-…, connections:write) for Socket Mode');
  }
  return { kind: 'off', missing };
}

/** What the log says when Slack is off: what is missing and how to create the app. */
export function slackSetupHelp(missing: string[]): string[] {
  return [
    'Slack is not configured: the bot runs (health, waits, CLI data) but cannot talk to Slack. Missing:',
    ...missing.map((m) => `  - ${m}`),
    'To create the Slack app: https://api.slack.com/apps → Create New App → From an app manifest →',
    '  paste manifest.yml from this repository (replace the example.com URLs with your public URL,',
    '  or keep socket_mode_enabled: true and set SLACK_APP_TOKEN), install it to your workspace,',
    '  then set the variables above and restart.',
  ];
}

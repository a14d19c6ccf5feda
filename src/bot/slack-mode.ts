// Which way the bot talks to Slack, decided from the environment: Socket Mode when an app
// token is set, HTTP (Events API) when a signing secret is, and otherwise the local sandbox
// (or nothing, with SLACK_MODE=off), with the list of what is missing so the first lines of
// the log say how to connect a real workspace.
import type { Config } from '../config/env.js';

export type SlackMode =
  | { kind: 'http'; botToken: string; signingSecret: string }
  | { kind: 'socket'; botToken: string; appToken: string }
  | { kind: 'sandbox'; missing: string[] }
  | { kind: 'off'; missing: string[] };

export function slackMode(config: Pick<Config, 'slackMode' | 'slackBotToken' | 'slackSigningSecret' | 'slackAppToken'>): SlackMode {
  const { slackBotToken: botToken, slackSigningSecret: signingSecret, slackAppToken: appToken } = config;
  if (config.slackMode === 'off') return { kind: 'off', missing: [] };
  if (config.slackMode === 'sandbox') return { kind: 'sandbox', missing: [] };
  if (botToken && appToken) return { kind: 'socket', botToken, appToken };
  if (botToken && signingSecret) return { kind: 'http', botToken, signingSecret };
  const missing: string[] = [];
  if (!botToken) missing.push('SLACK_BOT_TOKEN (OAuth & Permissions → Bot User OAuth Token, xoxb-…)');
  if (!signingSecret && !appToken) {
    missing.push('SLACK_SIGNING_SECRET (Basic Information → Signing Secret) for HTTP, or SLACK_APP_TOKEN (xapp-…, connections:write) for Socket Mode');
  }
  return { kind: 'sandbox', missing };
}

/** What the log says first without a real workspace: where the sandbox is, and how to connect one. */
export function slackSetupHelp(mode: Extract<SlackMode, { kind: 'sandbox' | 'off' }>, sandboxUrl: string | null): string[] {
  const first =
    mode.kind === 'off'
      ? 'Slack is off (SLACK_MODE=off): the bot runs (API, MCP, waits, devices) without a chat surface.'
      : `No Slack workspace configured: try the bot in the local Slack at ${sandboxUrl ?? '/sandbox'} (the sandbox).`;
  if (mode.missing.length === 0) return [first];
  return [
    first,
    'To connect a real Slack workspace, set:',
    ...mode.missing.map((m) => `  - ${m}`),
    'To create the Slack app: https://api.slack.com/apps → Create New App → From an app manifest →',
    '  paste manifest.yml from this repository (replace the example.com URLs with your public URL,',
    '  or keep socket_mode_enabled: true and set SLACK_APP_TOKEN), install it to your workspace,',
    '  then set the variables above and restart.',
  ];
}

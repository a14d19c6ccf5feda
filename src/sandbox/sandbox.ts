// The sandbox: a local Slack for trying the bot without a workspace. The bot talks to it as
// to Slack (its Web API at `apiUrl`, signed requests to /slack/events); people use it in a
// browser at /sandbox on the service's own port.
import type { Logger } from '../logger.js';
import { createSandboxHttp, SANDBOX_PATH } from './sandbox-http.js';
import { startWorkspace } from './workspace.js';

export { SANDBOX_PATH };
export { SANDBOX_BOT_TOKEN, SANDBOX_CHANNELS } from './people.js';

export type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

export async function startSandbox(logger: Logger) {
  const workspace = await startWorkspace(logger);
  const http = createSandboxHttp(workspace, logger);
  return {
    /** SLACK_API_URL for the bot. */
    apiUrl: workspace.apiUrl,
    signingSecret: workspace.signingSecret,
    /** Where the bot's /slack/events answers, once the service listens. */
    connect: workspace.connect,
    route: http.route,
    welcome: workspace.welcome,
    /** Ends the pages' event streams, which would otherwise hold the HTTP server open. */
    closePages: http.close,
    /** Stops the fake Web API: last, once the bot has sent what it had queued. */
    close: workspace.close,
  };
}

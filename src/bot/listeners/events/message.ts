// Messages in channels the bot is in: monitoring apps post alerts there. Bolt already drops
// the bot's own messages; the recognisers also skip them, and every human message.
import type { App } from '@slack/bolt';

import { EventName } from '../../slack-ids.js';
import type { ListenerDeps } from '../deps.js';

export function registerMessageEvents(app: App, deps: ListenerDeps): void {
  app.event(EventName.Message, async ({ event, context }) => {
    const self = { ...(context.botId ? { botId: context.botId } : {}), ...(context.botUserId ? { userId: context.botUserId } : {}) };
    await deps.alerts.fromSlackMessage(event, self).catch((error: unknown) =>
      deps.logger.error('could not handle a channel message as an alert', { channel: (event as { channel?: string }).channel, error }),
    );
  });
}

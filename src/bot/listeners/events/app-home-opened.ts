import type { App } from '@slack/bolt';

import { EventName } from '../../slack-ids.js';
import type { ListenerDeps } from '../deps.js';

export function registerAppHomeOpened(app: App, deps: ListenerDeps): void {
  app.event(EventName.AppHomeOpened, async ({ event }) => {
    // Opening the Messages tab fires this too; only Home has something to draw.
    if (event.tab !== 'home') return;
    await deps.home.publish(event.user).catch((error: unknown) => deps.logger.warn('could not publish App Home', { user: event.user, error }));
  });
}

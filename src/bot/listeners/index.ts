// Every Slack listener, grouped by surface. LISTENERS is what register() installs and what
// the manifest test compares against manifest.yml and slack-ids.ts.
import type { App } from '@slack/bolt';

import { CLICK_ACTIONS } from '../bot-service.js';
import { ActionId, EventName, SLASH_COMMAND, ViewId } from '../slack-ids.js';
import { registerAlertButtons } from './actions/alert-buttons.js';
import { registerFailButton } from './actions/fail-button.js';
import { registerRunButtons } from './actions/run-buttons.js';
import { registerStartRunbookButton } from './actions/start-runbook-button.js';
import { registerRunbookCommand } from './commands/runbook.js';
import type { ListenerDeps } from './deps.js';
import { registerAppHomeOpened } from './events/app-home-opened.js';
import { registerMessageEvents } from './events/message.js';
import { registerFailReasonView } from './views/fail-reason.js';
import { registerStartInputsView } from './views/start-inputs.js';

export const LISTENERS = {
  commands: [SLASH_COMMAND],
  actions: [...CLICK_ACTIONS, ActionId.Fail, ActionId.StartRunbook, ActionId.AlertRun, ActionId.AlertDismiss],
  views: [ViewId.StartInputs, ViewId.FailReason],
  events: [EventName.AppHomeOpened, EventName.Message],
} as const;

export function registerListeners(app: App, deps: ListenerDeps): void {
  registerRunbookCommand(app, deps);
  registerRunButtons(app, deps);
  registerFailButton(app, deps);
  registerStartRunbookButton(app, deps);
  registerAlertButtons(app, deps);
  registerStartInputsView(app, deps);
  registerFailReasonView(app, deps);
  registerAppHomeOpened(app, deps);
  registerMessageEvents(app, deps);
}

export type { ListenerDeps };

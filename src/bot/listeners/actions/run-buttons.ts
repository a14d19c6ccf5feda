// Done, outcome, Approve/Reject, Skip, Pause/Resume, Cancel and Retry on a run message.
// Ack at once, then apply; the click's action_ts is the idempotency key. A refusal (stale
// step, not an approver, ...) re-renders the message and tells only the clicker why.
import type { App, BlockAction, ButtonAction, RespondFn } from '@slack/bolt';

import { decodeRunActionValue, runIdOfValue } from '../../action-value.js';
import { CLICK_ACTIONS, type ClickAction } from '../../bot-service.js';
import { ActionId } from '../../slack-ids.js';
import { userMessage } from '../../user-message.js';
import { OUTCOME_ACTION_ID_PATTERN } from '../../views/run-message.js';
import type { ListenerDeps } from '../deps.js';
import { createAckFirstGate } from './ack-first-gate.js';
import { clickedMessage } from './clicked-message.js';

function registerClick(
  app: App,
  deps: ListenerDeps,
  afterAcks: () => Promise<void>,
  action: ClickAction,
  matcher: string | RegExp,
): void {
  app.action<BlockAction<ButtonAction>>(matcher, async ({ ack, body, action: button, respond }) => {
    await ack();
    await afterAcks();
    try {
      await deps.bot.click({
        action,
        value: decodeRunActionValue(button.value ?? ''),
        user: { id: body.user.id, name: body.user.username ?? body.user.name },
        actionTs: button.action_ts,
        message: clickedMessage(body),
      });
    } catch (error) {
      await tellClicker(respond, userMessage(error, deps.logger, { action: button.action_id, user: body.user.id, run_id: runIdOfValue(button.value) }));
    }
  });
}

function tellClicker(respond: RespondFn, message: { text: string; blocks: unknown[] }): Promise<unknown> {
  return respond({ response_type: 'ephemeral', replace_original: false, text: message.text, blocks: message.blocks as never });
}

export function registerRunButtons(app: App, deps: ListenerDeps): void {
  const afterAcks = createAckFirstGate();
  for (const action of CLICK_ACTIONS) {
    registerClick(app, deps, afterAcks, action, action === ActionId.Outcome ? OUTCOME_ACTION_ID_PATTERN : action);
  }
}

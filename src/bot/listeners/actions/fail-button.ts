// Fail asks why before it fails the step: the reason goes on the step and in the thread.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';

import { decodeRunActionValue, runIdOfValue } from '../../action-value.js';
import { findStep } from '../../../engine/index.js';
import { AppError, ErrorCode } from '../../../errors.js';
import { ActionId } from '../../slack-ids.js';
import { userMessage } from '../../user-message.js';
import { buildFailModal } from '../../views/fail-modal.js';
import type { ListenerDeps } from '../deps.js';
import { clickedMessage } from './clicked-message.js';

export function registerFailButton(app: App, deps: ListenerDeps): void {
  app.action<BlockAction<ButtonAction>>(ActionId.Fail, async ({ ack, body, action, client, respond }) => {
    await ack();
    try {
      const value = decodeRunActionValue(action.value ?? '');
      const run = await deps.bot.failable(value.r, { id: body.user.id, name: body.user.username ?? body.user.name });
      const found = findStep(run, value.s ?? run.current_step_id);
      if (!found) throw new AppError(ErrorCode.Conflict, `run ${run.id} has no current step to fail (it is ${run.status})`);
      const message = clickedMessage(body);
      await client.views.open({
        trigger_id: body.trigger_id,
        view: buildFailModal({
          run_id: run.id,
          step_id: found.def.id,
          visit: value.v ?? found.state.visit,
          channel_id: message?.channel ?? null,
          message_ts: message?.ts ?? null,
          stepLabel: found.def.label,
        }),
      });
    } catch (error) {
      const reply = userMessage(error, deps.logger, { action: ActionId.Fail, user: body.user.id, run_id: runIdOfValue(action.value) });
      await respond({ response_type: 'ephemeral', replace_original: false, ...reply });
    }
  });
}

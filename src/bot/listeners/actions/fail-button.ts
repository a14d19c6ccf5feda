// Fail asks why before it fails the step: the reason goes on the step and in the thread.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';

import { decodeRunActionValue } from '../../action-value.js';
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
      const run = await deps.bot.status(value.r);
      const stepId = value.s ?? run.current_step_id;
      const step = run.runbook.steps.find((s) => s.id === stepId);
      const state = run.steps.find((s) => s.step_id === stepId);
      if (!step || !state) throw new AppError(ErrorCode.Conflict, `run ${run.id} has no current step to fail (it is ${run.status})`);
      const message = clickedMessage(body);
      await client.views.open({
        trigger_id: body.trigger_id,
        view: buildFailModal({
          run_id: run.id,
          step_id: step.id,
          visit: value.v ?? state.visit,
          channel_id: message?.channel ?? null,
          message_ts: message?.ts ?? null,
          stepLabel: step.label,
        }),
      });
    } catch (error) {
      const reply = userMessage(error, deps.logger, { action: ActionId.Fail, user: body.user.id });
      await respond({ response_type: 'ephemeral', replace_original: false, ...reply });
    }
  });
}

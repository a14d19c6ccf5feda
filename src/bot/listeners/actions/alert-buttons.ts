// Run and Dismiss on an alert card. Run starts the matched playbook in the alert's thread,
// with the variables the alert fills; what it cannot fill is asked in the inputs modal.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';

import { decodeAlertActionValue } from '../../alert-action-value.js';
import { ActionId } from '../../slack-ids.js';
import { userMessage } from '../../user-message.js';
import { buildInputsModal, inputsRunbook } from '../../views/inputs-modal.js';
import type { ListenerDeps } from '../deps.js';

export function registerAlertButtons(app: App, deps: ListenerDeps): void {
  app.action<BlockAction<ButtonAction>>(ActionId.AlertRun, async ({ ack, body, action, client, respond }) => {
    await ack();
    const user = { id: body.user.id, name: body.user.username ?? body.user.name };
    try {
      const value = decodeAlertActionValue(action.value ?? '');
      if (!value.r) throw new Error('an alert Run button without a runbook');
      const outcome = await deps.alerts.run(value.f, value.r, user, (input) => deps.bot.start({ ...input, user }));
      if (outcome.kind !== 'needs_inputs') return;
      const { runbook } = outcome;
      const channel = body.channel?.id ?? null;
      const thread = body.message?.thread_ts ?? body.message?.ts;
      await client.views.open({
        trigger_id: body.trigger_id,
        view: buildInputsModal({
          runbook: inputsRunbook(runbook),
          values: outcome.values,
          context: { runbook_id: runbook.runbook_id, channel_id: channel, ...(thread ? { thread_ts: thread } : {}), origin: 'alert', alert: value.f },
        }),
      });
    } catch (error) {
      const reply = userMessage(error, deps.logger, { action: ActionId.AlertRun, user: user.id });
      await respond({ response_type: 'ephemeral', replace_original: false, ...reply } as never).catch(() => undefined);
    }
  });

  app.action<BlockAction<ButtonAction>>(ActionId.AlertDismiss, async ({ ack, body, action, respond }) => {
    await ack();
    const user = { id: body.user.id, name: body.user.username ?? body.user.name };
    try {
      await deps.alerts.dismiss(decodeAlertActionValue(action.value ?? '').f, deps.bot.principal(user));
    } catch (error) {
      const reply = userMessage(error, deps.logger, { action: ActionId.AlertDismiss, user: user.id });
      await respond({ response_type: 'ephemeral', replace_original: false, ...reply } as never).catch(() => undefined);
    }
  });
}

// App Home's Start: always through the inputs modal, so the user sees what the run will use.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';

import { ActionId } from '../../slack-ids.js';
import { userMessage } from '../../user-message.js';
import { decodeStartRunbookValue } from '../../views/home.js';
import { buildInputsModal, inputsRunbook } from '../../views/inputs-modal.js';
import type { ListenerDeps } from '../deps.js';

export function registerStartRunbookButton(app: App, deps: ListenerDeps): void {
  app.action<BlockAction<ButtonAction>>(ActionId.StartRunbook, async ({ ack, body, action, client }) => {
    await ack();
    try {
      const user = { id: body.user.id, name: body.user.username ?? body.user.name };
      const runbook = await deps.bot.runbookForInputs(decodeStartRunbookValue(action.value ?? '').rb, user);
      await client.views.open({
        trigger_id: body.trigger_id,
        view: buildInputsModal({
          runbook: inputsRunbook(runbook),
          values: {},
          context: { runbook_id: runbook.runbook_id, channel_id: null, origin: 'home' },
        }),
      });
    } catch (error) {
      const reply = userMessage(error, deps.logger, { action: ActionId.StartRunbook, user: body.user.id });
      await client.chat.postMessage({ channel: body.user.id, ...reply }).catch(() => undefined);
    }
  });
}

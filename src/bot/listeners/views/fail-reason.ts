// The fail-reason modal's submission: a missing reason is an inline field error; a
// refusal (the step moved on meanwhile) is told to the user by DM-less ephemeral post.
import type { App } from '@slack/bolt';

import { BlockId, ViewId } from '../../slack-ids.js';
import { userMessage } from '../../user-message.js';
import { parseFailContext, readFailReason } from '../../views/fail-modal.js';
import type { ListenerDeps } from '../deps.js';

export function registerFailReasonView(app: App, deps: ListenerDeps): void {
  app.view(ViewId.FailReason, async ({ ack, body, view, client }) => {
    let reason: string;
    try {
      reason = readFailReason(view.state.values);
    } catch (error) {
      await ack({ response_action: 'errors', errors: { [BlockId.FailReason]: (error as Error).message } });
      return;
    }
    await ack();
    const ctx = parseFailContext(view.private_metadata);
    try {
      await deps.bot.failStep({
        runId: ctx.run_id,
        stepId: ctx.step_id,
        visit: ctx.visit,
        reason,
        user: { id: body.user.id, name: body.user.name },
        key: `slack-view:${view.id}`,
        message: ctx.channel_id && ctx.message_ts ? { channel: ctx.channel_id, ts: ctx.message_ts } : null,
      });
    } catch (error) {
      const reply = userMessage(error, deps.logger, { view: ViewId.FailReason, user: body.user.id, run_id: ctx.run_id });
      const channel = ctx.channel_id ?? body.user.id;
      await client.chat.postEphemeral({ channel, user: body.user.id, ...reply }).catch(() => undefined);
    }
  });
}

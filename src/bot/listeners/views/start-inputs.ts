// The inputs modal's submission: invalid values come back as inline field errors (the modal
// stays open); valid ones start the run where the modal was opened from.
import type { App } from '@slack/bolt';

import { startInputs } from '../../../engine/index.js';
import { ViewId } from '../../slack-ids.js';
import { userMessage } from '../../user-message.js';
import { parseInputsContext, readInputsSubmission } from '../../views/inputs-modal.js';
import type { ListenerDeps } from '../deps.js';
import { postedNotice } from '../replies.js';

export function registerStartInputsView(app: App, deps: ListenerDeps): void {
  app.view(ViewId.StartInputs, async ({ ack, body, view, client }) => {
    const ctx = parseInputsContext(view.private_metadata);
    const user = { id: body.user.id, name: body.user.name };
    let reply;
    try {
      const runbook = await deps.bot.runbookForInputs(ctx.runbook_id, user);
      const read = readInputsSubmission(startInputs(runbook), view.state.values);
      if (!read.ok) {
        await ack({ response_action: 'errors', errors: read.errors });
        return;
      }
      await ack();
      const where = ctx.channel_id ? { channel: ctx.channel_id, ...(ctx.thread_ts ? { thread_ts: ctx.thread_ts } : {}) } : null;
      const outcome = ctx.alert
        ? await deps.alerts.run(ctx.alert, ctx.runbook_id, user, (input) => deps.bot.start({ ...input, user }), { values: read.values, askForMissing: false })
        : await deps.bot.start({ runbook, variables: read.values, user, where, askForMissing: false });
      if (outcome.kind === 'started' && outcome.postError) reply = postedNotice(outcome.run.id, outcome.postError);
      if (ctx.origin === 'home') await deps.home.publish(user.id).catch(() => undefined);
    } catch (error) {
      await ack().catch(() => undefined);
      reply = userMessage(error, deps.logger, { view: ViewId.StartInputs, user: user.id });
    }
    if (reply) await client.chat.postEphemeral({ channel: ctx.channel_id ?? user.id, user: user.id, ...reply }).catch(() => undefined);
  });
}

// `/runbook …`: ack at once (Slack wants an answer within 3 s), then answer ephemerally
// through the response_url, or open the inputs modal while the trigger_id is still valid.
import type { App, RespondFn } from '@slack/bolt';

import { parseCommandText, type RunbookCommand } from '../../command-text.js';
import { SLASH_COMMAND } from '../../slack-ids.js';
import { userMessage } from '../../user-message.js';
import { buildAlertList } from '../../views/alert-list.js';
import { buildDeviceMessage } from '../../views/device.js';
import { buildHelp, USAGE } from '../../views/help.js';
import { buildInputsModal, inputsRunbook } from '../../views/inputs-modal.js';
import { buildNotice } from '../../views/notice.js';
import { buildRunList } from '../../views/run-list.js';
import type { SlackUser } from '../../slack-actor.js';
import { buildRunMessage } from '../../views/run-message.js';
import { buildRunbookList } from '../../views/runbook-list.js';
import type { SlackMessage } from '../../views/types.js';
import type { ListenerDeps } from '../deps.js';
import { postedNotice, withoutButtons } from '../replies.js';

interface CommandRequest {
  user: { id: string; name: string };
  channel: string;
  triggerId: string;
  openModal(view: ReturnType<typeof buildInputsModal>): Promise<unknown>;
}

async function answer(cmd: RunbookCommand, req: CommandRequest, deps: ListenerDeps): Promise<SlackMessage | null> {
  const { bot } = deps;
  switch (cmd.type) {
    case 'help':
      return buildHelp();
    case 'list':
      return buildRunbookList(...(await listArgs(deps, cmd.text, req.user)));
    case 'alerts':
      return buildAlertList(await deps.alerts.recent(bot.principal(req.user), 20), { now: deps.clock() });
    case 'device':
      return buildDeviceMessage({ id: cmd.deviceId, ...(await bot.device(cmd.deviceId, req.user)), now: deps.clock() });
    case 'runs':
      return buildRunList(await bot.listRuns(cmd.statuses, req.user), { ...(cmd.statuses ? { status: cmd.statuses } : {}), now: deps.clock() });
    case 'status':
      return withoutButtons(buildRunMessage(await bot.status(cmd.runId, req.user), { now: deps.clock() }));
    case 'pause':
    case 'cancel': {
      const run = await bot.control(cmd.runId, cmd.type, req.user, req.channel);
      return buildNotice(`Run ${run.id} is ${run.status} now.`, { level: 'info' });
    }
    case 'resume': {
      const { run, postError } = await bot.resume(cmd.runId, req.user, { channel: req.channel });
      return postError ? postedNotice(run.id, postError) : null;
    }
    case 'start': {
      const outcome = await bot.start({ runbook: cmd.runbook, variables: cmd.variables, user: req.user, where: { channel: req.channel }, askForMissing: true });
      if (outcome.kind === 'needs_inputs') {
        const { runbook } = outcome;
        await req.openModal(
          buildInputsModal({
            runbook: inputsRunbook(runbook),
            values: cmd.variables,
            context: { runbook_id: runbook.runbook_id, channel_id: req.channel, origin: 'command' },
          }),
        );
        return null;
      }
      return outcome.postError ? postedNotice(outcome.run.id, outcome.postError) : null;
    }
  }
}

async function listArgs(deps: ListenerDeps, text: string, user: SlackUser): Promise<Parameters<typeof buildRunbookList>> {
  const { items, hasMore } = await deps.bot.listRunbooks(text, user);
  return [items, { ...(text.trim() ? { query: text } : {}), hasMore }];
}

export function registerRunbookCommand(app: App, deps: ListenerDeps): void {
  app.command(SLASH_COMMAND, async ({ command, ack, respond, client }) => {
    await ack();
    const reply = (message: SlackMessage) => ephemeral(respond, message);
    const req: CommandRequest = {
      user: { id: command.user_id, name: command.user_name },
      channel: command.channel_id,
      triggerId: command.trigger_id,
      openModal: (view) => client.views.open({ trigger_id: command.trigger_id, view }),
    };
    let cmd: RunbookCommand | null = null;
    try {
      cmd = parseCommandText(command.text);
      const message = await answer(cmd, req, deps);
      if (message) await reply(message);
    } catch (error) {
      // A refusal of a well-formed command (unknown runbook, draft, unknown variable) quotes its usage too.
      const usage = cmd ? USAGE[cmd.type] : undefined;
      await reply(userMessage(error, deps.logger, { command: 'runbook', user: command.user_id }, usage ? { usage } : {}));
    }
  });
}

function ephemeral(respond: RespondFn, message: SlackMessage): Promise<unknown> {
  return respond({ response_type: 'ephemeral', replace_original: false, ...message });
}

// What the Slack surface can do, independent of Bolt: listeners parse a request, call one
// of these, and answer. Every method either does the whole thing or throws an AppError
// that says why, leaving the run as it was.
import type { WebClient } from '@slack/web-api';

import { findStep, startInputs, type Command, type JsonObject, type Run, type RunbookSnapshot, type RunStatus, type TriggerSource, type VariableDef } from '../engine/index.js';
import type { Logger } from '../logger.js';
import type { Device } from '../models/device-store.js';
import type { Devices } from '../services/devices.js';
import type { RunMessageLocation } from '../models/run-message-store.js';
import type { RunSummary } from '../models/run-store.js';
import type { RunbookRecord } from '../models/runbook-records.js';
import type { Runbooks } from '../services/runbooks.js';
import { personPrincipal, type Principal } from '../services/principal.js';
import type { RunCommand, Runs } from '../services/runs.js';
import type { RunActionValue } from './action-value.js';
import type { MessageRef, RunNotifier } from './run-notifier.js';
import { ActionId } from './slack-ids.js';
import { slackActor, type GroupResolver, type SlackUser } from './slack-actor.js';
import { slackErrorCode } from './slack-error.js';

export interface BotServiceDeps {
  /** The application layer: every rule about starting and moving runs lives there. */
  runs: Runs;
  runbooks: Pick<Runbooks, 'list'>;
  notifier: RunNotifier;
  groups: GroupResolver;
  /** `/runbook device ID`. */
  devices: Pick<Devices, 'describe'>;
  client: WebClient;
  logger: Logger;
}


export interface Where {
  channel: string;
  thread_ts?: string;
}

export type StartOutcome =
  | { kind: 'started'; run: Run; location: RunMessageLocation | null; postError: string | null }
  | { kind: 'needs_inputs'; runbook: RunbookSnapshot; missing: VariableDef[]; values: Record<string, string> };

/** Clicks that become one engine command each. Fail opens a modal first; Start lives on App Home. */
const CLICK_COMMANDS = {
  [ActionId.Done]: 'advance',
  [ActionId.Outcome]: 'advance',
  [ActionId.Approve]: 'approve',
  [ActionId.Reject]: 'reject',
  [ActionId.Skip]: 'skip',
  [ActionId.Pause]: 'pause',
  [ActionId.Resume]: 'resume',
  [ActionId.Cancel]: 'cancel',
  [ActionId.Retry]: 'retry',
  [ActionId.RunTool]: 'run_tool',
} as const satisfies Partial<Record<ActionId, Command['type']>>;
export type ClickAction = keyof typeof CLICK_COMMANDS;
export const CLICK_ACTIONS = Object.keys(CLICK_COMMANDS) as ClickAction[];

export interface Click {
  action: ClickAction;
  value: RunActionValue;
  user: SlackUser;
  /** Slack's action_ts: the idempotency key, so a retried delivery changes the run once. */
  actionTs: string;
  message: MessageRef | null;
}

/** Inputs with no value given: the required ones without a default, and any named in `ask` (a default is not enough for those). */
function missingVariables(runbook: RunbookSnapshot, given: Record<string, string>, ask: readonly string[] = []): VariableDef[] {
  return startInputs(runbook).filter((v) => ((v.required && v.default === null) || ask.includes(v.name)) && !(given[v.name] ?? '').trim());
}

export type BotService = ReturnType<typeof createBotService>;

export function createBotService(deps: BotServiceDeps) {
  const { runs, notifier, logger } = deps;

  async function postLiveMessage(run: Run, where: Where): Promise<{ location: RunMessageLocation | null; postError: string | null }> {
    try {
      return { location: await notifier.publish(run, where), postError: null };
    } catch (error) {
      logger.warn('could not post the run message', { run_id: run.id, channel: where.channel, error: slackErrorCode(error) });
      return { location: null, postError: slackErrorCode(error) };
    }
  }

  /** A Slack user as the services see them: user groups holding a role are asked about when they could decide. */
  function principal(user: SlackUser, groups?: string[]): Principal {
    return personPrincipal(slackActor(user, groups), { surface: 'slack', groupsOf: (candidates) => deps.groups.groupsOf(user.id, candidates) });
  }

  /** The click as a command, and who sent it (with the user groups a gate's approvers name). */
  async function commandFor(click: Click): Promise<{ who: Principal; command: RunCommand }> {
    const type = CLICK_COMMANDS[click.action];
    const base = { key: `slack:${click.actionTs}`, source: `slack:${click.message?.channel ?? 'unknown'}` };
    const target = { ...(click.value.s ? { step_id: click.value.s } : {}), ...(click.value.v !== undefined ? { visit: click.value.v } : {}) };
    const who = principal(click.user);
    switch (type) {
      case 'advance':
        return { who, command: { type, ...base, ...target, ...(click.action === ActionId.Outcome && click.value.o ? { outcome: click.value.o } : {}) } };
      case 'approve':
      case 'reject': {
        // Only gates that name user groups need a Slack lookup.
        const run = await runs.get(who, click.value.r);
        const approvers = findStep(run, click.value.s ?? run.current_step_id)?.def.approvers ?? [];
        const groups = await deps.groups.groupsOf(click.user.id, approvers);
        return { who: principal(click.user, groups), command: { type, ...base, ...target } };
      }
      case 'skip':
      case 'run_tool':
        return { who, command: { type, ...base, ...target } };
      default:
        return { who, command: { type, ...base } };
    }
  }

  const groupsOf = (id: string, candidates: string[]) => deps.groups.groupsOf(id, candidates);

  return {
    principal,

    /** Looks the runbook up and either starts it or says which inputs are missing. */
    async start(input: {
      runbook: string | RunbookSnapshot;
      variables: Record<string, string>;
      user: SlackUser;
      where: Where | null;
      askForMissing: boolean;
      /** Inputs to ask for even when they have a default (an alert's device nobody vouched for). */
      ask?: readonly string[];
      /** Default: manual, with the channel it was started in. */
      trigger?: { source: TriggerSource; context: JsonObject };
    }): Promise<StartOutcome> {
      const who = principal(input.user);
      // Before asking for inputs: nobody should fill in a modal only to be refused.
      const runbook = await runs.startable(who, input.runbook, groupsOf);
      const missing = missingVariables(runbook, input.variables, input.ask);
      if (missing.length > 0 && input.askForMissing) return { kind: 'needs_inputs', runbook, missing, values: input.variables };
      const { run } = await runs.start(
        who,
        { runbook, variables: input.variables, trigger: input.trigger ?? { source: 'manual', context: input.where ? { slack_channel: input.where.channel } : {} } },
        groupsOf,
      );
      // Without a channel (App Home), the run message goes to the user's DM with the app.
      const posted = await postLiveMessage(run, input.where ?? { channel: input.user.id });
      return { kind: 'started', run, ...posted };
    },

    /** Applies a button click. A refusal re-renders the clicked message from the stored run and throws. */
    async click(click: Click): Promise<{ run: Run; duplicate: boolean }> {
      try {
        const { who, command } = await commandFor(click);
        const result = await runs.command(who, click.value.r, command);
        await refreshIfNotLive(click.value.r, click.message);
        return result;
      } catch (error) {
        // The clicker hears why at once; the message catches up when Slack takes the update
        // (which may wait out a rate limit or an outage).
        if (click.message) void notifier.refresh(click.value.r, click.message).catch(() => undefined);
        throw error;
      }
    },

    /** Fails the step the fail-reason modal was opened for. */
    async failStep(input: { runId: string; stepId: string; visit: number; reason: string; user: SlackUser; key: string; message: MessageRef | null }): Promise<Run> {
      const command: RunCommand = {
        type: 'fail',
        key: input.key,
        source: `slack:${input.message?.channel ?? 'modal'}`,
        step_id: input.stepId,
        visit: input.visit,
        notes: input.reason,
      };
      const { run } = await runs.command(principal(input.user), input.runId, command);
      await refreshIfNotLive(input.runId, input.message);
      return run;
    },

    /** `/runbook pause|cancel RUN`. */
    async control(runId: string, type: 'pause' | 'cancel', user: SlackUser, where: string): Promise<Run> {
      return (await runs.command(principal(user), runId, { type, source: `slack:${where}` })).run;
    },

    /** `/runbook resume RUN`: continues a paused run and posts its live message here. */
    async resume(runId: string, user: SlackUser, where: Where): Promise<{ run: Run; location: RunMessageLocation | null; postError: string | null }> {
      const who = principal(user);
      let run = await runs.get(who, runId);
      if (run.status === 'paused') run = (await runs.command(who, runId, { type: 'resume', source: `slack:${where.channel}` })).run;
      return { run, ...(await postLiveMessage(run, where)) };
    },

    /** The run whose step a user is about to fail: only one they may drive. */
    async failable(runId: string, user: SlackUser): Promise<Run> {
      return runs.commandable(principal(user), runId);
    },

    async status(runId: string, user: SlackUser): Promise<Run> {
      return runs.get(principal(user), runId);
    },

    async listRunbooks(text: string, user: SlackUser): Promise<{ items: RunbookRecord[]; hasMore: boolean }> {
      const page = await deps.runbooks.list(principal(user), { ...(text.trim() ? { text } : {}), limit: 20 });
      return { items: page.items, hasMore: page.next_cursor !== null };
    },

    async listRuns(statuses: RunStatus[] | null, user: SlackUser): Promise<RunSummary[]> {
      return runs.list(principal(user), { ...(statuses ? { status: statuses } : {}), limit: 20 });
    },

    /** A device as its runner registered it (null when none did) and its most recent runs. */
    async device(id: string, user: SlackUser): Promise<{ device: Device | null; runs: RunSummary[] }> {
      return deps.devices.describe(principal(user), id);
    },

    /** The runbook whose inputs form a user opens: only one they may start. */
    async runbookForInputs(runbookId: string, user: SlackUser): Promise<RunbookSnapshot> {
      return runs.startable(principal(user), runbookId);
    },
  };

  async function refreshIfNotLive(runId: string, message: MessageRef | null): Promise<void> {
    if (!message) return;
    const live = await notifier.location(runId);
    if (live && live.channel === message.channel && live.ts === message.ts) return;
    void notifier.refresh(runId, message).catch((error: unknown) => logger.warn('could not refresh an older run message', { run_id: runId, error }));
  }
}


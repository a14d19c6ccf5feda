// Keeps each run's Slack message in step with the stored run. Renders are coalesced per
// run (the latest state wins), so a run that moves several steps at once costs one
// chat.update, and no Slack call ever holds up a command: the stored run is the truth and
// any render shows the whole of it again.
import type { WebClient } from '@slack/web-api';

import type { Run, RunStep } from '../engine/index.js';
import type { Logger } from '../logger.js';
import type { RunMessageLocation, RunMessageStore } from '../models/run-message-store.js';
import type { EffectHandlers } from '../services/effect-handlers.js';
import type { SlackMessage } from './views/types.js';
import { buildApprovalRequest, needsApproval } from './views/approval-request.js';
import { buildRunMessage, isInstructionCut } from './views/run-message.js';
import { buildInstructionReply, buildStepReply } from './views/step-reply.js';

export interface RunNotifierDeps {
  client: WebClient;
  messages: RunMessageStore;
  loadRun(runId: string): Promise<Run>;
  clock?: () => number;
  logger: Logger;
}

export interface MessageRef {
  channel: string;
  ts: string;
}

const FINISHED: ReadonlySet<RunStep['status']> = new Set(['completed', 'skipped', 'failed']);

/** Step visits that finished (steps a finished run never reached have visit 0: nothing to tell). */
function finishedVisits(run: Run): RunStep[] {
  return run.steps
    .filter((s) => FINISHED.has(s.status) && s.visit > 0)
    .sort((a, b) => (a.completed_at ?? 0) - (b.completed_at ?? 0) || a.visit - b.visit);
}

const visitKey = (step: RunStep) => `${step.step_id}#${step.visit}`;

function unreported(run: Run, location: RunMessageLocation): RunStep[] {
  const done = new Set(location.reported);
  return finishedVisits(run).filter((s) => !done.has(visitKey(s)));
}

/**
 * What the thread still needs about the current step: its full instruction when the
 * message had to cut it, and a request that mentions its approvers. Once per visit each.
 */
function currentStepNotes(run: Run, location: RunMessageLocation): Array<{ key: string; message: SlackMessage }> {
  const step = run.steps.find((s) => s.step_id === run.current_step_id && s.status === 'active');
  if (!step) return [];
  const notes: Array<{ key: string; message: () => SlackMessage; due: boolean }> = [
    { key: `${visitKey(step)}#instruction`, message: () => buildInstructionReply(run, step.step_id), due: isInstructionCut(run, step.step_id) },
    { key: `${visitKey(step)}#approval`, message: () => buildApprovalRequest(run, step.step_id), due: needsApproval(run, step.step_id) },
  ];
  return notes.filter((n) => n.due && !location.reported.includes(n.key)).map((n) => ({ key: n.key, message: n.message() }));
}

export type RunNotifier = ReturnType<typeof createRunNotifier>;

export function createRunNotifier(deps: RunNotifierDeps) {
  const clock = deps.clock ?? Date.now;
  const { client, messages, logger } = deps;
  const slots = new Map<string, { latest: Run; dirty: boolean; done: Promise<void> }>();

  async function postStepReplies(run: Run, location: RunMessageLocation): Promise<void> {
    for (const step of unreported(run, location)) {
      await client.chat.postMessage({ channel: location.channel, thread_ts: location.thread_ts, ...buildStepReply(run, step.step_id) });
      await messages.markReported(run.id, [visitKey(step)]);
    }
    for (const note of currentStepNotes(run, location)) {
      await client.chat.postMessage({ channel: location.channel, thread_ts: location.thread_ts, ...note.message });
      await messages.markReported(run.id, [note.key]);
    }
  }

  async function sync(run: Run): Promise<void> {
    const location = await messages.get(run.id);
    if (!location) return; // not posted yet: publish() renders the latest state when it is
    try {
      await client.chat.update({ channel: location.channel, ts: location.ts, ...buildRunMessage(run, { now: clock() }) });
      await postStepReplies(run, location);
    } catch (error) {
      // The next render shows the whole state again, and posts the replies still missing.
      logger.warn('slack update failed; the next render will catch up', { run_id: run.id, error });
    }
  }

  /** Queues a render of `run`; returns at once. */
  function render(run: Run): void {
    const slot = slots.get(run.id);
    if (slot) {
      if (run.audit_seq >= slot.latest.audit_seq) slot.latest = run;
      slot.dirty = true;
      return;
    }
    const fresh = { latest: run, dirty: true, done: Promise.resolve() };
    slots.set(run.id, fresh);
    fresh.done = (async () => {
      while (fresh.dirty) {
        fresh.dirty = false;
        await sync(fresh.latest);
      }
      slots.delete(run.id);
    })();
  }

  return {
    render,

    /**
     * Posts the run's live message in `channel` (in a thread when `thread_ts` is given) and
     * makes it the one later renders update. Throws when Slack refuses the post.
     */
    async publish(run: Run, where: { channel: string; thread_ts?: string }): Promise<RunMessageLocation> {
      const posted = await client.chat.postMessage({
        channel: where.channel,
        ...(where.thread_ts ? { thread_ts: where.thread_ts } : {}),
        ...buildRunMessage(run, { now: clock() }),
      });
      const channel = posted.channel ?? where.channel;
      const ts = posted.ts as string;
      const location = await messages.attach(run.id, { channel, ts, thread_ts: where.thread_ts ?? ts });
      // The run may have moved while we posted, and steps may have finished before there was a thread.
      const latest = await deps.loadRun(run.id);
      if (latest.audit_seq !== run.audit_seq || unreported(latest, location).length > 0 || currentStepNotes(latest, location).length > 0) render(latest);
      return location;
    },

    /** Re-renders one message (e.g. an older copy whose button was clicked) from the stored run. */
    async refresh(runId: string, message: MessageRef): Promise<void> {
      const run = await deps.loadRun(runId);
      const live = await messages.get(runId);
      if (live && live.channel === message.channel && live.ts === message.ts) {
        // The live message goes through the run's render queue: a full render also posts the
        // thread replies an earlier failed render missed, and cannot land before a newer one.
        render(run);
        await slots.get(runId)?.done;
        return;
      }
      await client.chat.update({ channel: message.channel, ts: message.ts, ...buildRunMessage(run, { now: clock() }) });
    },

    /** Resolves when every queued render has been sent (or has failed). */
    async idle(): Promise<void> {
      while (slots.size > 0) await Promise.all([...slots.values()].map((s) => s.done));
    },

    handlers: {
      render: async (_effect, run) => render(run),
    } satisfies EffectHandlers,
  };
}

// Keeps each run's Slack message in step with the stored run. Renders are coalesced per
// run (the latest state wins), so a run that moves several steps at once costs one
// chat.update, and no Slack call ever holds up a command: the stored run is the truth and
// any render shows the whole of it again. Several bot instances may render one run at once:
// each reply is claimed in the store before it is posted, and whoever updates the message
// reads the run again afterwards, so the last update shows the latest state.
import { ErrorCode, type FetchFunction, type WebClient } from '@slack/web-api';

import { currentStep, isToolStep, runsTool, type Run } from '../engine/index.js';
import type { Logger } from '../logger.js';
import { createLru } from '../lru.js';
import type { RunMessageLocation, RunMessageStore } from '../models/run-message-store.js';
import type { EffectHandlers } from '../services/effect-handlers.js';
import { createBoundedPoster } from './bounded-poster.js';
import { missingReplies, repliesFinishedBy, type ThreadReply } from './thread-replies.js';
import { buildRunMessage } from './views/run-message.js';

export interface RunNotifierDeps {
  client: WebClient;
  messages: RunMessageStore;
  loadRun(runId: string): Promise<Run>;
  /** Whether a device's runner is online: a `human` run's tool step offers Run tool only then. */
  deviceOnline?(deviceId: string): Promise<boolean>;
  clock?: () => number;
  logger: Logger;
  /** The fetch of the bot's client, for the client that posts thread replies. */
  slackFetch?: FetchFunction;
  /** Delays before rendering again after a failed render or a reply another process holds. */
  retryDelaysMs?: readonly number[];
}

export interface MessageRef {
  channel: string;
  ts: string;
}

export type RunNotifier = ReturnType<typeof createRunNotifier>;

/** Each thread reply carries its run and key as message metadata, so a thread can be searched for it. */
const REPLY_EVENT = 'runbook_bot_reply';
const replyMetadata = (runId: string, key: string) => ({ event_type: REPLY_EVENT, event_payload: { run_id: runId, key } });

/** How long Slack asked us to wait, when it answered 429. */
function retryAfterMs(error: unknown): number {
  const { code, retryAfter } = (error ?? {}) as { code?: unknown; retryAfter?: unknown };
  return code === ErrorCode.RateLimitedError && typeof retryAfter === 'number' ? retryAfter * 1000 : 0;
}

const LOCATION_TTL_MS = 10_000;
/** About six minutes in all: a Slack outage of a minute, or a reply claimed by a process that died (lease 60 s). */
const RETRY_DELAYS_MS = [1_000, 2_000, 5_000, 10_000, 20_000, 40_000, 60_000, 60_000, 60_000, 60_000, 60_000];

export function createRunNotifier(deps: RunNotifierDeps) {
  const clock = deps.clock ?? Date.now;
  const { client, messages, logger } = deps;
  // Updates and replies fail fast (a rate limit or an outage is not waited out inside one
  // call, which would hold the run's render for minutes): retryLater tries again on its own
  // schedule, never sooner than Slack's Retry-After, with the whole state as it is by then.
  const slack = createBoundedPoster(client, logger, deps.slackFetch ? { fetch: deps.slackFetch } : {});
  const retryDelays = deps.retryDelaysMs ?? RETRY_DELAYS_MS;
  // Runs to render again later: how many retries each has had, and its timer.
  const retries = new Map<string, { tries: number; timer: NodeJS.Timeout | null }>();
  let stopped = false;
  const slots = new Map<string, { latest: Run; dirty: boolean; done: Promise<void> }>();
  // Run messages being posted or refreshed: idle() waits for them too.
  const publishing = new Set<Promise<unknown>>();
  // Step replies built from each transition's state, until they are in the thread (bounded).
  const captured = createLru<Map<string, ThreadReply>>(1_000);
  // Where each run's message is: read on every click otherwise. It changes only when a
  // message is attached; the TTL bounds how long another process's attach goes unseen.
  // Readers share one read per run (the promise is what is cached), so every caller holds the
  // same object and a reply marked reported by one is seen by all.
  const known = createLru<{ location: Promise<RunMessageLocation | null>; at: number }>(1_000);

  /** The run message, asking for the device's status only when a Run tool button depends on it. */
  async function view(run: Run): Promise<ReturnType<typeof buildRunMessage>> {
    const current = currentStep(run);
    const deviceId = run.device_id;
    const offersRunTool = current !== null && isToolStep(current.def) && !runsTool(run, current.def) && deviceId !== null;
    const deviceOnline = offersRunTool && deps.deviceOnline ? await deps.deviceOnline(deviceId).catch(() => false) : false;
    return buildRunMessage(run, { now: clock(), deviceOnline });
  }

  function keep(runId: string, location: Promise<RunMessageLocation | null>): Promise<RunMessageLocation | null> {
    known.set(runId, { location, at: clock() });
    return location;
  }

  function remember(location: RunMessageLocation): RunMessageLocation {
    void keep(location.run_id, Promise.resolve(location));
    return location;
  }

  function locate(runId: string): Promise<RunMessageLocation | null> {
    const hit = known.get(runId);
    if (hit && clock() - hit.at < LOCATION_TTL_MS) return hit.location;
    const read = messages.get(runId);
    // Not posted yet (or the read failed): ask again next time, unless a newer entry came meanwhile.
    const forget = () => {
      if (known.get(runId)?.location === read) known.delete(runId);
    };
    void read.then((found) => found ?? forget(), forget);
    return keep(runId, read);
  }

  function capture(run: Run): void {
    const replies = repliesFinishedBy(run);
    if (replies.length === 0) return;
    const forRun = captured.get(run.id) ?? new Map<string, ThreadReply>();
    for (const reply of replies) if (!forRun.has(reply.key)) forRun.set(reply.key, reply);
    captured.set(run.id, forRun);
  }

  /** Whether the run's thread holds the reply (posted by a process that died before recording it). */
  async function inThread(location: RunMessageLocation, runId: string, key: string): Promise<boolean> {
    let cursor: string | undefined;
    do {
      const page = await slack.conversations.replies({ channel: location.channel, ts: location.thread_ts, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) });
      const found = (page.messages ?? []).some((m) => {
        const meta = m.metadata as { event_type?: string; event_payload?: Record<string, unknown> } | undefined;
        return meta?.event_type === REPLY_EVENT && meta.event_payload?.run_id === runId && meta.event_payload?.key === key;
      });
      if (found) return true;
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return false;
  }

  /** Posts what the thread lacks, in order; false when another process is posting one of them. */
  async function postThreadReplies(run: Run, location: RunMessageLocation): Promise<boolean> {
    const forRun = captured.get(run.id);
    for (const reply of missingReplies(run, location, forRun?.values())) {
      const claim = await messages.replies.claim(run.id, reply.key);
      // Its poster may be posting the next ones too: stop here, so the thread keeps its order.
      if ('busy' in claim) return false;
      if ('attempt' in claim) {
        const where = reply.channel ? { channel: reply.channel } : { channel: location.channel, thread_ts: location.thread_ts };
        try {
          const landed = claim.takeover && !reply.channel && (await inThread(location, run.id, reply.key));
          if (!landed) await slack.chat.postMessage({ ...where, ...reply.message, metadata: replyMetadata(run.id, reply.key) });
        } catch (error) {
          await messages.replies.failed(claim.attempt);
          throw error;
        }
        await messages.replies.posted(claim.attempt);
      }
      await messages.markReported(run.id, [reply.key]);
      location.reported.push(reply.key);
      forRun?.delete(reply.key);
    }
    if (forRun?.size === 0) captured.delete(run.id);
    return true;
  }

  /** Renders the run again from the store after the next delay (at least `notBeforeMs`), while delays remain. */
  function retryLater(runId: string, notBeforeMs = 0): void {
    const entry = retries.get(runId) ?? { tries: 0, timer: null };
    if (entry.timer || stopped) return;
    const scheduled = retryDelays[entry.tries];
    if (scheduled === undefined) {
      retries.delete(runId);
      logger.warn('gave up rendering the run again; the next change or click renders it', { run_id: runId });
      return;
    }
    entry.tries += 1;
    const delay = Math.max(scheduled, notBeforeMs);
    entry.timer = setTimeout(() => {
      entry.timer = null;
      deps.loadRun(runId).then(render, (error: unknown) => {
        logger.warn('could not load the run to render it again', { run_id: runId, error });
        retryLater(runId);
      });
    }, delay);
    entry.timer.unref();
    retries.set(runId, entry);
  }

  /** The message and thread show the latest state: no retry is needed any more. */
  function settled(runId: string): void {
    const entry = retries.get(runId);
    if (entry?.timer) clearTimeout(entry.timer);
    retries.delete(runId);
  }

  async function sync(run: Run): Promise<void> {
    const location = await locate(run.id);
    if (!location) return; // not posted yet: publish() renders the latest state when it is
    try {
      await slack.chat.update({ channel: location.channel, ts: location.ts, ...(await view(run)) });
      const complete = await postThreadReplies(run, location);
      // Another instance may have updated the message with a newer state, and its update may
      // have landed before ours: whoever updated last reads the run again.
      const latest = await deps.loadRun(run.id);
      if (latest.audit_seq > run.audit_seq) render(latest);
      else if (complete) settled(run.id);
      if (!complete) retryLater(run.id);
    } catch (error) {
      // The next render shows the whole state again, and posts the replies still missing.
      logger.warn('slack update failed; rendering again shortly', { run_id: run.id, error });
      retryLater(run.id, retryAfterMs(error));
    }
  }

  /** Queues a render of `run`; returns at once. */
  function render(run: Run): void {
    capture(run);
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

  async function publishNow(run: Run, where: { channel: string; thread_ts?: string }): Promise<RunMessageLocation> {
    const posted = await client.chat.postMessage({
      channel: where.channel,
      ...(where.thread_ts ? { thread_ts: where.thread_ts } : {}),
      ...(await view(run)),
    });
    const channel = posted.channel ?? where.channel;
    const ts = posted.ts as string;
    const location = remember(await messages.attach(run.id, { channel, ts, thread_ts: where.thread_ts ?? ts }));
    // The run may have moved while we posted, and steps may have finished before there was a thread.
    const latest = await deps.loadRun(run.id);
    if (latest.audit_seq !== run.audit_seq || missingReplies(latest, location).length > 0) render(latest);
    return location;
  }

  async function refreshNow(runId: string, message: MessageRef): Promise<void> {
    const run = await deps.loadRun(runId);
    const live = await locate(runId);
    if (live && live.channel === message.channel && live.ts === message.ts) {
      // The live message goes through the run's render queue: a full render also posts the
      // thread replies an earlier failed render missed, and cannot land before a newer one.
      render(run);
      await slots.get(runId)?.done;
      return;
    }
    await client.chat.update({ channel: message.channel, ts: message.ts, ...(await view(run)) });
  }

  /** Keeps `sending` in the set idle() waits for until it settles. */
  function track<T>(sending: Promise<T>): Promise<T> {
    publishing.add(sending);
    void sending.then(
      () => publishing.delete(sending),
      () => publishing.delete(sending),
    );
    return sending;
  }

  return {
    render,

    /** Where the run's live message is (null before it is posted). */
    location: locate,

    /**
     * Posts the run's live message in `channel` (in a thread when `thread_ts` is given) and
     * makes it the one later renders update. Throws when Slack refuses the post.
     */
    publish(run: Run, where: { channel: string; thread_ts?: string }): Promise<RunMessageLocation> {
      return track(publishNow(run, where));
    },

    /**
     * Re-renders one message (e.g. an older copy whose button was clicked) from the stored run.
     * Resolves when it is sent; idle() waits for it too, so a caller need not.
     */
    refresh(runId: string, message: MessageRef): Promise<void> {
      return track(refreshNow(runId, message));
    },

    /** Drops the renders waiting to be tried again (the service is stopping). */
    stop(): void {
      stopped = true;
      for (const runId of [...retries.keys()]) settled(runId);
    },

    /** Resolves when every queued render and every post under way has been sent (or has failed). */
    async idle(): Promise<void> {
      while (slots.size > 0 || publishing.size > 0) {
        await Promise.allSettled([...publishing, ...[...slots.values()].map((s) => s.done)]);
      }
    },

    handlers: {
      render: async (_effect, run) => render(run),
    } satisfies EffectHandlers,
  };
}

// The Slack side of the latency bench, on a worker thread of its own: the fake Slack Web
// API the bot calls, and the clicker that builds signed Done POSTs, has them sent (by a
// thread of their own, slack-sender.ts) and waits for the chat.update each one causes. Real
// Slack is another machine; sharing the bot's event loop would add to every ack the time
// the answer waits for the sender's turn on a loop the bot keeps busy, and delay the fake's
// arrival stamps the same way.
//
// slack-latency.ts (the main thread) runs the bot and the baseline Bolt app and drives this
// thread through the messages below; it only imports types from here.
import { parentPort, workerData } from 'node:worker_threads';

import { ActionId } from '../src/bot/slack-ids.js';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { blockActionPayload, createSlackSender, DEFAULT_CHANNEL, type SlackSender } from '../test/support/slack-requests.js';
import { startClickSender } from './slack-timing.js';

export interface ClickerSetup {
  signingSecret: string;
  /** Action steps in the runbook: a run is replaced once it has this many clicks less two. */
  steps: number;
}

export interface Targets {
  botUrl: string;
  baselineUrl: string;
  runbook: string;
}

/** One request, as the clicker saw it; `id` names it for the main thread's finish watcher. */
export interface Sample {
  id: string;
  /** absoluteNow() just before sending. */
  sentAt: number;
  ackMs: number;
  /** Until the fake Slack received the chat.update showing the next step (bot only). */
  updateMs: number | null;
  failed: string | null;
}

export interface Measured {
  clicks: Sample[];
  baseline: Sample[];
  /** Slack API calls the bot made during the measured rounds, by method. */
  calls: Record<string, number>;
}

export type ToClicker =
  | { type: 'targets'; id: number; targets: Targets }
  | { type: 'measure'; id: number; n: number; rounds: number; warmup: number }
  | { type: 'idle-done'; id: number };

export type FromClicker =
  | { type: 'ready'; apiUrl: string }
  /** Asks the main thread to wait until the bot's notifier has sent every queued render. */
  | { type: 'idle'; id: number }
  | { type: 'reply'; id: number; value?: unknown; error?: string };

interface LiveRun {
  ts: string;
  /** The Done button's value as the message shows it now. */
  value: string;
  clicks: number;
}

interface Click extends Sample {
  run: LiveRun;
  /** The form body Slack sends for the click (`payload=<json>`). */
  body: string;
  /**
   * Date.now() on this thread as the round's clicks leave for the sender thread: the fake
   * stamps arrivals with Date.now() here too, so the update time compares like with like.
   */
  sentWall: number;
  /** The Done value the update shows. */
  next: string | null;
}

function doneValue(blocks: unknown[] | undefined): string | null {
  for (const block of blocks ?? []) {
    const b = block as { type?: string; elements?: { action_id?: string; value?: string }[] };
    if (b.type !== 'actions') continue;
    const done = b.elements?.find((e) => e.action_id === ActionId.Done);
    if (done?.value) return done.value;
  }
  return null;
}

const port = parentPort;
if (!port) throw new Error('slack-clicker.ts runs on a worker thread started by slack-latency.ts');
const setup = workerData as ClickerSetup;
const fake = await startFakeSlack();
const sender = startClickSender(setup.signingSecret);

const idleWaits = new Map<number, () => void>();
let idleSeq = 0;
/** The bot's notifier lives on the main thread: ask it, and wait for the answer. */
const botIdle = (): Promise<void> => {
  idleSeq += 1;
  const id = idleSeq;
  return new Promise<void>((resolve) => {
    idleWaits.set(id, resolve);
    port.postMessage({ type: 'idle', id } satisfies FromClicker);
  });
};

class Clicker {
  private seq = 0;
  /** Starts runs with /runbook, as users would; clicks go through `sender`. */
  private readonly bot: SlackSender;

  constructor(private readonly targets: Targets) {
    this.bot = createSlackSender({ url: targets.botUrl, signingSecret: setup.signingSecret, responseUrlFor: fake.responseUrl });
  }

  /** Starts `count` runs with `/runbook start`, as users would; returns their live messages. */
  async startRuns(count: number): Promise<LiveRun[]> {
    const since = fake.calls.length;
    for (let i = 0; i < count; i += 10) {
      await Promise.all(Array.from({ length: Math.min(10, count - i) }, () => this.bot.command({ text: `start ${this.targets.runbook}` })));
    }
    const posts = await fake.waitFor(
      (calls) => {
        const roots = calls.slice(since).filter((c) => c.method === 'chat.postMessage' && c.ok && c.args.thread_ts === undefined);
        return roots.length >= count && roots;
      },
      { timeoutMs: 120_000 },
    );
    await botIdle();
    return posts.map((c) => {
      const ts = String(c.result?.ts);
      const value = doneValue(fake.message(DEFAULT_CHANNEL.id, ts)?.blocks);
      if (!value) throw new Error(`run message ${ts} has no Done button`);
      return { ts, value, clicks: 0 };
    });
  }

  /** Runs near their last step are replaced by fresh ones, so every click moves to another action step. */
  async refill(runs: LiveRun[]): Promise<void> {
    const spent = runs.flatMap((r, i) => (r.clicks >= setup.steps - 2 ? [i] : []));
    if (spent.length === 0) return;
    const fresh = await this.startRuns(spent.length);
    spent.forEach((index, k) => (runs[index] = fresh[k]!));
  }

  /** Clicks Done on every run at once; resolves when each click's chat.update (or refusal) arrived. */
  async serviceRound(runs: LiveRun[], calls: Record<string, number> | null): Promise<Click[]> {
    const since = fake.calls.length;
    const clicks: Click[] = runs.map((run) => {
      this.seq += 1;
      const id = `bench-click-${this.seq}`;
      const message = fake.message(DEFAULT_CHANNEL.id, run.ts);
      const payload = blockActionPayload({
        messageTs: run.ts,
        actionId: ActionId.Done,
        value: run.value,
        text: 'Done',
        responseUrl: fake.responseUrl(id),
        message: { text: message?.text ?? '', blocks: message?.blocks ?? [] },
      });
      const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
      return { id, run, body, sentAt: 0, sentWall: 0, ackMs: 0, updateMs: null, next: null, failed: null };
    });
    // Stamped here, before the clicks cross to the sender: the update time includes that hop.
    const sentWall = Date.now();
    for (const click of clicks) click.sentWall = sentWall;
    const acks = sender.send(this.targets.botUrl, clicks).then((sent) =>
      sent.forEach((result, i) => {
        const click = clicks[i]!;
        click.sentAt = result.sentAt;
        click.ackMs = result.ackMs;
        if (result.status !== 200) click.failed = `ack HTTP ${result.status}`;
      }),
    );
    const pending = new Map(clicks.map((c) => [c.run.ts, c]));
    let cursor = since;
    const updates = fake.waitFor(
      (seen) => {
        for (; cursor < seen.length; cursor += 1) {
          const call = seen[cursor]!;
          if (call.method !== 'chat.update' || !call.ok) continue;
          const click = pending.get(String(call.args.ts));
          const next = doneValue(call.args.blocks as unknown[] | undefined);
          if (!click || next === null || next === click.run.value || call.at < click.sentWall) continue;
          click.updateMs = call.at - click.sentWall;
          click.next = next;
          pending.delete(click.run.ts);
        }
        // A refused click re-renders the same state and tells the clicker why.
        for (const click of pending.values()) {
          const told = fake.responses(click.id)[0];
          if (!told) continue;
          click.failed = String(told.body.text ?? 'refused').slice(0, 80);
          pending.delete(click.run.ts);
        }
        return pending.size === 0;
      },
      { timeoutMs: 120_000 },
    );
    await Promise.all([acks, updates]);
    // The rest of each click (thread reply, its bookkeeping) finishes before the next round.
    await botIdle();
    if (calls) for (const call of fake.calls.slice(since)) calls[call.method] = (calls[call.method] ?? 0) + 1;
    for (const click of clicks) {
      click.run.clicks += 1;
      click.run.value = click.next ?? doneValue(fake.message(DEFAULT_CHANNEL.id, click.run.ts)?.blocks) ?? click.run.value;
    }
    return clicks;
  }

  /** The same requests, at the same concurrency, to the bare Bolt app. */
  async baselineRound(clicks: Click[]): Promise<Sample[]> {
    const sent = await sender.send(
      this.targets.baselineUrl,
      clicks.map((click) => ({ id: `${click.id}-baseline`, body: click.body })),
    );
    return sent.map(({ id, status, sentAt, ackMs }) => {
      if (status !== 200) throw new Error(`baseline answered HTTP ${status}`);
      return { id, sentAt, ackMs, updateMs: null, failed: null };
    });
  }

  /** `warmup` rounds, then `rounds` measured ones, of `n` concurrent clicks. */
  async measure(n: number, rounds: number, warmup: number): Promise<Measured> {
    const runs = await this.startRuns(n);
    const measured: Measured = { clicks: [], baseline: [], calls: {} };
    for (let round = 0; round < warmup + rounds; round += 1) {
      await this.refill(runs);
      const clicks = await this.serviceRound(runs, round < warmup ? null : measured.calls);
      const baseline = await this.baselineRound(clicks);
      if (round < warmup) continue;
      // Only the sample fields cross to the main thread, not the payloads.
      for (const { id, sentAt, ackMs, updateMs, failed } of clicks) measured.clicks.push({ id, sentAt, ackMs, updateMs, failed });
      measured.baseline.push(...baseline);
    }
    return measured;
  }
}

let clicker: Clicker | null = null;

async function answer(message: Exclude<ToClicker, { type: 'idle-done' }>): Promise<unknown> {
  if (message.type === 'targets') {
    clicker = new Clicker(message.targets);
    return undefined;
  }
  if (!clicker) throw new Error('measure before targets');
  return clicker.measure(message.n, message.rounds, message.warmup);
}

port.on('message', (message: ToClicker) => {
  if (message.type === 'idle-done') {
    idleWaits.get(message.id)?.();
    idleWaits.delete(message.id);
    return;
  }
  answer(message).then(
    (value) => port.postMessage({ type: 'reply', id: message.id, value } satisfies FromClicker),
    (error: unknown) => port.postMessage({ type: 'reply', id: message.id, error: (error as Error).stack ?? String(error) } satisfies FromClicker),
  );
});
port.postMessage({ type: 'ready', apiUrl: fake.apiUrl } satisfies FromClicker);

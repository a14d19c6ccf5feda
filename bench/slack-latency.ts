// Slack-facing latency of the whole bot (startApp: Bolt in HTTP mode, the run service,
// MongoDB, BullMQ, the run notifier) with Slack faked at its HTTP boundary:
// - ack: from just before a signed block_actions POST (Done) is sent until its HTTP
//   response arrives; `written`: until the bot's server finished writing that response
//   (node's http.server.response.finish diagnostics channel), which leaves out the time
//   the answer waits for the sender's turn on the shared event loop;
// - click→update: from the same moment until the fake Slack receives the chat.update that
//   shows the run on its next step (the message's Done button now pins the next step).
// N runs are clicked at once, round after round, at N = 1, 10 and 50. A bare Bolt app that
// only acks `run_done` (Bolt's defaults: the bot token checked once, at start) gets the same
// requests at the same concurrency in the same run. Everything but the database, Redis and
// FerretDB runs in this one process (bot, fake Slack, the sender), as in the bot tests: the
// baseline carries the same sender and process, so the ratio is the bot's own share.
import { loadavg } from 'node:os';

import { startApp, type App } from '../src/app/create-app.js';
import { ActionId } from '../src/bot/slack-ids.js';
import type { Config } from '../src/config/env.js';
import { parseDefinition } from '../src/engine/definition/index.js';
import { createRedis } from '../src/jobs/redis.js';
import { createLogger, type Logger } from '../src/logger.js';
import { startFakeSlack, type FakeSlack } from '../test/support/fake-slack.js';
import { deleteKeysUnder } from '../test/support/redis.js';
import { blockActionPayload, createSlackSender, DEFAULT_CHANNEL, type SlackSender } from '../test/support/slack-requests.js';
import { sendClick, startBaseline, watchResponses } from './slack-timing.js';
import { benchBackends, openBenchEnv, percentile, table, type Backend } from './support.js';

const SIGNING_SECRET = 'bench-signing-secret';
/** Action steps in the runbook: each run takes this many Done clicks less two, then is replaced. */
const STEPS = 40;
const CONCURRENCY = [1, 10, 50];
/** Measured clicks per concurrency, at least (rounds are whole). */
const MIN_SAMPLES = Number(process.env.BENCH_SLACK_SAMPLES ?? 250);
const TARGET_ACK_P99_MS = 50;
const TARGET_UPDATE_P99_MS = 150;
/** Where the click→update target applies. */
const TARGET_UPDATE_AT = 50;

interface LiveRun {
  ts: string;
  /** The Done button's value as the message shows it now. */
  value: string;
  clicks: number;
}

interface Click {
  run: LiveRun;
  /** The form body Slack sends for the click (`payload=<json>`). */
  body: string;
  responseId: string;
  /** Date.now() just before sending: the fake's `at` uses the same clock. */
  sentAt: number;
  ackMs: number;
  writtenMs: number | null;
  updateMs: number | null;
  /** The Done value the update shows. */
  next: string | null;
  failed: string | null;
}

interface Row {
  n: number;
  clicks: number;
  ack: number[];
  written: number[];
  baseline: number[];
  baselineWritten: number[];
  update: number[];
  failed: number;
  /** Slack API calls the bot made during the measured rounds, by method. */
  calls: Map<string, number>;
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

/** Counts warnings and errors by message instead of printing them between table rows. */
function countingLogger(): { logger: Logger; counts: Map<string, number> } {
  const counts = new Map<string, number>();
  const logger = createLogger('warn', (line) => {
    const { level, msg, error } = JSON.parse(line) as { level: string; msg: string; error?: unknown };
    const key = `${level}: ${msg}${error ? ` (${String(typeof error === 'string' ? error : JSON.stringify(error)).slice(0, 80)})` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  return { logger, counts };
}

class Bench {
  private seq = 0;

  constructor(
    private readonly app: App,
    private readonly fake: FakeSlack,
    private readonly slack: SlackSender,
    private readonly baseline: SlackSender,
    private readonly runbook: string,
    private readonly finishedAt: Map<string, number>,
  ) {}

  /** Starts `count` runs with `/runbook start`, as users would; returns their live messages. */
  async startRuns(count: number): Promise<LiveRun[]> {
    const since = this.fake.calls.length;
    for (let i = 0; i < count; i += 10) {
      await Promise.all(Array.from({ length: Math.min(10, count - i) }, () => this.slack.command({ text: `start ${this.runbook}` })));
    }
    const posts = await this.fake.waitFor(
      (calls) => {
        const roots = calls.slice(since).filter((c) => c.method === 'chat.postMessage' && c.ok && c.args.thread_ts === undefined);
        return roots.length >= count && roots;
      },
      { timeoutMs: 120_000 },
    );
    await this.app.notifier?.idle();
    return posts.map((c) => {
      const ts = String(c.result?.ts);
      const value = doneValue(this.fake.message(DEFAULT_CHANNEL.id, ts)?.blocks);
      if (!value) throw new Error(`run message ${ts} has no Done button`);
      return { ts, value, clicks: 0 };
    });
  }

  /** Runs near their last step are replaced by fresh ones, so every click moves to another action step. */
  async refill(runs: LiveRun[]): Promise<void> {
    const spent = runs.flatMap((r, i) => (r.clicks >= STEPS - 2 ? [i] : []));
    if (spent.length === 0) return;
    const fresh = await this.startRuns(spent.length);
    spent.forEach((index, k) => (runs[index] = fresh[k]!));
  }

  /** Clicks Done on every run at once; resolves when each click's chat.update (or refusal) arrived. */
  async serviceRound(runs: LiveRun[], calls: Map<string, number>): Promise<Click[]> {
    const since = this.fake.calls.length;
    const clicks: Click[] = runs.map((run) => {
      this.seq += 1;
      const responseId = `bench-click-${this.seq}`;
      const message = this.fake.message(DEFAULT_CHANNEL.id, run.ts);
      const payload = blockActionPayload({
        messageTs: run.ts,
        actionId: ActionId.Done,
        value: run.value,
        text: 'Done',
        responseUrl: this.fake.responseUrl(responseId),
        message: { text: message?.text ?? '', blocks: message?.blocks ?? [] },
      });
      const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
      return { run, body, responseId, sentAt: 0, ackMs: 0, writtenMs: null, updateMs: null, next: null, failed: null };
    });
    const acks = Promise.all(
      clicks.map(async (click) => {
        click.sentAt = Date.now();
        const sent = await sendClick(this.slack, click.responseId, click.body, this.finishedAt);
        click.ackMs = sent.ackMs;
        click.writtenMs = sent.writtenMs;
        if (sent.reply.status !== 200) click.failed = `ack HTTP ${sent.reply.status}`;
      }),
    );
    const pending = new Map(clicks.map((c) => [c.run.ts, c]));
    let cursor = since;
    const updates = this.fake.waitFor(
      (calls) => {
        for (; cursor < calls.length; cursor += 1) {
          const call = calls[cursor]!;
          if (call.method !== 'chat.update' || !call.ok) continue;
          const click = pending.get(String(call.args.ts));
          const next = doneValue(call.args.blocks as unknown[] | undefined);
          if (!click || next === null || next === click.run.value || call.at < click.sentAt) continue;
          click.updateMs = call.at - click.sentAt;
          click.next = next;
          pending.delete(click.run.ts);
        }
        // A refused click re-renders the same state and tells the clicker why.
        for (const click of pending.values()) {
          const told = this.fake.responses(click.responseId)[0];
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
    await this.app.notifier?.idle();
    for (const call of this.fake.calls.slice(since)) calls.set(call.method, (calls.get(call.method) ?? 0) + 1);
    for (const click of clicks) {
      click.run.clicks += 1;
      click.run.value = click.next ?? doneValue(this.fake.message(DEFAULT_CHANNEL.id, click.run.ts)?.blocks) ?? click.run.value;
    }
    return clicks;
  }

  /** The same requests, at the same concurrency, to the bare Bolt app. */
  async baselineRound(clicks: Click[]): Promise<{ ackMs: number; writtenMs: number | null }[]> {
    return Promise.all(
      clicks.map(async (click) => {
        const sent = await sendClick(this.baseline, `${click.responseId}-baseline`, click.body, this.finishedAt);
        if (sent.reply.status !== 200) throw new Error(`baseline answered HTTP ${sent.reply.status}`);
        return sent;
      }),
    );
  }

  async measure(n: number): Promise<Row> {
    const runs = await this.startRuns(n);
    const rounds = Math.ceil(MIN_SAMPLES / n);
    const warmup = n === 1 ? 5 : 1;
    const row: Row = { n, clicks: 0, ack: [], written: [], baseline: [], baselineWritten: [], update: [], failed: 0, calls: new Map() };
    for (let round = 0; round < warmup + rounds; round += 1) {
      await this.refill(runs);
      const clicks = await this.serviceRound(runs, round < warmup ? new Map() : row.calls);
      const baseline = await this.baselineRound(clicks);
      if (round < warmup) continue;
      for (const click of clicks) {
        row.clicks += 1;
        row.ack.push(click.ackMs);
        if (click.writtenMs !== null) row.written.push(click.writtenMs);
        if (click.failed || click.updateMs === null) row.failed += 1;
        else row.update.push(click.updateMs);
      }
      for (const sent of baseline) {
        row.baseline.push(sent.ackMs);
        if (sent.writtenMs !== null) row.baselineWritten.push(sent.writtenMs);
      }
    }
    for (const list of [row.ack, row.written, row.baseline, row.baselineWritten, row.update]) list.sort((a, b) => a - b);
    return row;
  }
}

const ms = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(1));
const both = (sorted: number[]) => `${ms(percentile(sorted, 50))} / ${ms(percentile(sorted, 99))}`;

function verdict(row: Row): string {
  const ackOk = percentile(row.ack, 99) <= TARGET_ACK_P99_MS;
  const parts = [`ack ${ackOk ? 'yes' : 'NO'}`];
  if (row.n === TARGET_UPDATE_AT) parts.push(`update ${percentile(row.update, 99) <= TARGET_UPDATE_P99_MS ? 'yes' : 'NO'}`);
  return parts.join(', ');
}

const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

async function onBackend(backend: Backend): Promise<string> {
  const loadBefore = load();
  const env = await openBenchEnv(backend);
  const { logger, counts } = countingLogger();
  let fake: FakeSlack | undefined;
  let app: App | undefined;
  let baseline: Awaited<ReturnType<typeof startBaseline>> | undefined;
  const responses = watchResponses();
  try {
    fake = await startFakeSlack();
    const config: Config = {
      mongodbUri: env.uri,
      redisUrl: env.redisUrl,
      slackApiUrl: fake.apiUrl,
      slackBotToken: 'xoxb-bench-token',
      slackSigningSecret: SIGNING_SECRET,
      port: 0,
      host: '127.0.0.1',
      logLevel: 'warn',
      reconcileIntervalMs: 60_000,
    };
    app = await startApp({ config, logger, queuePrefix: env.prefix });
    baseline = await startBaseline(fake.apiUrl, SIGNING_SECRET);
    const parsed = parseDefinition({
      name: 'Bench clicks',
      steps: Array.from({ length: STEPS }, (_, i) => ({ label: `Step ${i + 1}`, instruction: `Do step ${i + 1} of the procedure, then press Done.` })),
    });
    if (!parsed.ok) throw new Error(`bad bench definition: ${JSON.stringify(parsed.problems)}`);
    await app.runbooks.save({ source: parsed.source, author: { kind: 'cli', id: 'bench' }, publish: true });
    const bench = new Bench(
      app,
      fake,
      createSlackSender({ url: `http://127.0.0.1:${app.port}/slack/events`, signingSecret: SIGNING_SECRET, responseUrlFor: fake.responseUrl }),
      createSlackSender({ url: baseline.url, signingSecret: SIGNING_SECRET }),
      parsed.source.name,
      responses.finishedAt,
    );
    const rows: Row[] = [];
    for (const n of CONCURRENCY) rows.push(await bench.measure(n));
    const ackP99 = (r: Row) => percentile(r.ack, 99);
    const clicks = rows.reduce((sum, r) => sum + r.clicks, 0);
    const calls = new Map<string, number>();
    for (const r of rows) for (const [method, count] of r.calls) calls.set(method, (calls.get(method) ?? 0) + count);
    return [
      `${env.server}; runbook of ${STEPS} action steps; Bolt HTTP mode on 127.0.0.1; times in ms`,
      table(
        ['concurrent runs', 'clicks', 'ack p50', 'ack p99', 'ack written p50 / p99', 'baseline ack p50', 'baseline ack p99', 'baseline written p50 / p99', 'ack p99 ratio', 'click→update p50', 'click→update p99', 'failed', 'target met?'],
        rows.map((r) => [
          r.n,
          r.clicks,
          ms(percentile(r.ack, 50)),
          ms(ackP99(r)),
          both(r.written),
          ms(percentile(r.baseline, 50)),
          ms(percentile(r.baseline, 99)),
          both(r.baselineWritten),
          (ackP99(r) / percentile(r.baseline, 99)).toFixed(1),
          ms(percentile(r.update, 50)),
          ms(percentile(r.update, 99)),
          r.failed,
          verdict(r),
        ]),
      ),
      `Slack API calls per measured click: ${[...calls.entries()].map(([method, count]) => `${method} ${(count / clicks).toFixed(2)}`).join(', ')}`,
      `load average (1, 5, 15 min) before: ${loadBefore}; after: ${load()}`,
      ...(counts.size > 0 ? [`logged by the bot: ${[...counts.entries()].map(([msg, n]) => `${n}× ${msg}`).join('; ')}`] : []),
    ].join('\n');
  } finally {
    responses.stop();
    const steps: [string, () => Promise<unknown>][] = [
      ['bot', async () => app?.stop()],
      ['baseline', async () => baseline?.close()],
      ['fake Slack', async () => fake?.close()],
      [
        'queue keys',
        async () => {
          const redis = createRedis(env.redisUrl);
          try {
            await deleteKeysUnder(redis, env.prefix);
          } finally {
            redis.disconnect();
          }
        },
      ],
      ['bench env', () => env.close()],
    ];
    for (const [what, step] of steps) {
      await step().catch((error: unknown) => console.error(`slack bench: stopping the ${what} failed: ${(error as Error).message}`));
    }
  }
}

export async function benchSlackLatency(): Promise<string> {
  const parts = [
    `Slack latency: ack and click→update (signed Done POST → chat.update at the fake Slack), p50/p99, against a bare Bolt app that only acks. Targets: ack p99 ≤ ${TARGET_ACK_P99_MS} ms; click→update p99 ≤ ${TARGET_UPDATE_P99_MS} ms at ${TARGET_UPDATE_AT}.`,
  ];
  for (const backend of benchBackends()) parts.push(await onBackend(backend));
  return parts.join('\n\n');
}

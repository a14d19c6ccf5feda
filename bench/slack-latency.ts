// Slack-facing latency of the whole bot (startApp: Bolt in HTTP mode, the run service,
// MongoDB, BullMQ, the run notifier) with Slack faked at its HTTP boundary:
// - ack: from just before a signed block_actions POST (Done) is sent until its HTTP
//   response arrives at the sender; `written`: until the bot's server finished writing that
//   response (node's http.server.response.finish diagnostics channel);
// - click→update: from the same moment until the fake Slack receives the chat.update that
//   shows the run on its next step (the message's Done button now pins the next step).
// N runs are clicked at once, round after round, at N = 1, 10 and 50. A bare Bolt app that
// only acks `run_done` (Bolt's defaults: the bot token checked once, at start) gets the same
// requests at the same concurrency in the same run.
//
// Slack's side runs on worker threads, as real Slack is other machines: the fake Web API and
// the clicker (slack-clicker.ts) on one, the sender that times the acks (slack-sender.ts) on
// another; on the bot's event loop an answer would wait for the sender's turn on a loop the
// bot keeps busy. This thread runs the bot, the baseline and the finish watcher; `written`
// subtracts the sender's absolute send time from this thread's absolute finish time.
import { startApp, type App } from '../src/app/create-app.js';
import { parseDefinition } from '../src/engine/definition/index.js';
import type { ClickerSetup, FromClicker, Measured, Sample, Targets, ToClicker } from './slack-clicker.js';
import { startBaseline, startTsWorker, watchResponses } from './slack-timing.js';
import { benchAppConfig, benchBackends, countingLogger, deleteQueueKeys, openBenchEnv, percentile, stopInOrder, table, type Backend, loadAverage, rawUpdateLatencies } from './support.js';

const SIGNING_SECRET = 'bench-signing-secret';
/** Action steps in the runbook: each run takes this many Done clicks less two, then is replaced. */
const STEPS = 40;
const CONCURRENCY = [1, 10, 50];
/** Measured clicks per concurrency, at least (rounds are whole). */
const MIN_SAMPLES = Number(process.env.BENCH_SLACK_SAMPLES ?? 250);
const TARGET_ACK_P99_MS = 50;
const TARGET_UPDATE_P99_MS = 150;
/** Ack p99 at most this many times the bare Bolt app's, measured in the same run. */
const TARGET_ACK_RATIO = 1.5;
/** Where the click→update target applies. */

interface Row {
  n: number;
  clicks: number;
  ack: number[];
  written: number[];
  baseline: number[];
  baselineWritten: number[];
  update: number[];
  /** The store's raw conditional update at the same concurrency (rawUpdateLatencies), sorted. */
  raw: number[];
  failed: number;
  /** Slack API calls the bot made during the measured rounds, by method. */
  calls: Record<string, number>;
}

/** The worker thread running Slack's side (slack-clicker.ts), and the messages to and from it. */
interface Clicker {
  /** The fake Slack's Web API URL, once the worker has started it. */
  apiUrl: Promise<string>;
  aim(targets: Targets): Promise<void>;
  measure(n: number, rounds: number, warmup: number): Promise<Measured>;
  stop(): Promise<void>;
}

/** `botIdle` answers the worker's "has the bot sent every queued render?" between rounds. */
function startClicker(setup: ClickerSetup, botIdle: () => Promise<void>): Clicker {
  const worker = startTsWorker(new URL('./slack-clicker.ts', import.meta.url), setup);
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let seq = 0;
  let ready!: { resolve(url: string): void; reject(error: Error): void };
  const apiUrl = new Promise<string>((resolve, reject) => (ready = { resolve, reject }));
  // Whatever ends the worker fails everything still waiting on it, so the bench stops at once.
  let ended: Error | null = null;
  const fail = (error: Error) => {
    ended ??= error;
    ready.reject(ended);
    for (const waiting of pending.values()) waiting.reject(ended);
    pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the Slack clicker thread exited (code ${code})`)));
  worker.on('message', (message: FromClicker) => {
    if (message.type === 'ready') ready.resolve(message.apiUrl);
    else if (message.type === 'idle') {
      const done = () => worker.postMessage({ type: 'idle-done', id: message.id } satisfies ToClicker);
      botIdle().then(done, done);
    } else {
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      if (message.error !== undefined) waiting?.reject(new Error(`Slack clicker: ${message.error}`));
      else waiting?.resolve(message.value);
    }
  });
  const call = (message: ToClicker): Promise<unknown> => {
    if (ended) return Promise.reject(ended);
    return new Promise((resolve, reject) => {
      pending.set(message.id, { resolve, reject });
      worker.postMessage(message);
    });
  };
  return {
    apiUrl,
    aim: async (targets) => {
      await call({ type: 'targets', id: (seq += 1), targets });
    },
    measure: async (n, rounds, warmup) => (await call({ type: 'measure', id: (seq += 1), n, rounds, warmup })) as Measured,
    stop: async () => {
      fail(new Error('the Slack clicker was stopped'));
      await worker.terminate();
    },
  };
}

/** One concurrency's figures; `written` pairs each send (worker) with its finish (here). */
async function measure(clicker: Clicker, n: number, finishedAt: Map<string, number>): Promise<Row> {
  const measured = await clicker.measure(n, Math.ceil(MIN_SAMPLES / n), n === 1 ? 5 : 1);
  const written = (samples: Sample[]) =>
    samples.flatMap(({ id, sentAt }) => {
      const finished = finishedAt.get(id);
      return finished === undefined ? [] : [finished - sentAt];
    });
  const row: Row = {
    n,
    clicks: measured.clicks.length,
    ack: measured.clicks.map((c) => c.ackMs),
    written: written(measured.clicks),
    baseline: measured.baseline.map((c) => c.ackMs),
    baselineWritten: written(measured.baseline),
    update: measured.clicks.flatMap((c) => (c.failed || c.updateMs === null ? [] : [c.updateMs])),
    raw: [],
    failed: measured.clicks.filter((c) => c.failed || c.updateMs === null).length,
    calls: measured.calls,
  };
  // Warm-up clicks were timed here too, but never sampled: each concurrency starts afresh.
  finishedAt.clear();
  for (const list of [row.ack, row.written, row.baseline, row.baselineWritten, row.update]) list.sort((a, b) => a - b);
  return row;
}

const ms = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(1));
const both = (sorted: number[]) => `${ms(percentile(sorted, 50))} / ${ms(percentile(sorted, 99))}`;

/** The click→update bar: 150 ms, or the store's raw update p99 + 50 ms when that p99 is above 100 ms. */
function updateLimit(row: Row): number {
  const rawP99 = percentile(row.raw, 99);
  return rawP99 > 100 ? rawP99 + 50 : TARGET_UPDATE_P99_MS;
}

function verdict(row: Row): string {
  const ackP99 = percentile(row.ack, 99);
  const ackOk = ackP99 <= TARGET_ACK_P99_MS && ackP99 <= TARGET_ACK_RATIO * percentile(row.baseline, 99);
  const parts = [`ack ${ackOk ? 'yes' : 'NO'}`];
  parts.push(`update ≤ ${updateLimit(row).toFixed(0)} ms ${percentile(row.update, 99) <= updateLimit(row) ? 'yes' : 'NO'}`);
  return parts.join(', ');
}


async function onBackend(backend: Backend): Promise<string> {
  const loadBefore = loadAverage();
  const env = await openBenchEnv(backend);
  const { logger, counts } = countingLogger();
  let app: App | undefined;
  let baseline: Awaited<ReturnType<typeof startBaseline>> | undefined;
  const responses = watchResponses();
  const clicker = startClicker({ signingSecret: SIGNING_SECRET, steps: STEPS }, async () => app?.notifier?.idle());
  try {
    const apiUrl = await clicker.apiUrl;
    // Without command monitoring: this bench's clock is the click's, not the database's.
    const config = benchAppConfig(env, { mongodbUri: env.uri, slackApiUrl: apiUrl, slackBotToken: 'xoxb-bench-token', slackSigningSecret: SIGNING_SECRET });
    app = await startApp({ config, logger, queuePrefix: env.prefix });
    baseline = await startBaseline(apiUrl, SIGNING_SECRET);
    const parsed = parseDefinition({
      name: 'Bench clicks',
      steps: Array.from({ length: STEPS }, (_, i) => ({ label: `Step ${i + 1}`, instruction: `Do step ${i + 1} of the procedure, then press Done.` })),
    });
    if (!parsed.ok) throw new Error(`bad bench definition: ${JSON.stringify(parsed.problems)}`);
    await app.runbooks.save({ source: parsed.source, author: { kind: 'cli', id: 'bench' }, publish: true });
    await clicker.aim({ botUrl: `http://127.0.0.1:${app.port}/slack/events`, baselineUrl: baseline.url, runbook: parsed.source.name });
    const rows: Row[] = [];
    const snapshot = await app.runbooks.snapshotForRun(parsed.source.name);
    for (const n of CONCURRENCY) {
      const row = await measure(clicker, n, responses.finishedAt);
      // The store's own conditional update at this concurrency, measured right after: the
      // click→update bar is relative to it when the store is slower than 100 ms.
      row.raw = await rawUpdateLatencies(app.db.conn, snapshot, n, Math.max(5, Math.ceil(MIN_SAMPLES / n)));
      rows.push(row);
    }
    const ackP99 = (r: Row) => percentile(r.ack, 99);
    const clicks = rows.reduce((sum, r) => sum + r.clicks, 0);
    const calls = new Map<string, number>();
    for (const r of rows) for (const [method, count] of Object.entries(r.calls)) calls.set(method, (calls.get(method) ?? 0) + count);
    return [
      `${env.server}; runbook of ${STEPS} action steps; Bolt HTTP mode on 127.0.0.1; times in ms`,
      table(
        ['concurrent runs', 'clicks', 'ack p50', 'ack p99', 'ack written p50 / p99', 'baseline ack p50', 'baseline ack p99', 'baseline written p50 / p99', 'ack p99 ratio', 'click→update p50', 'click→update p99', 'raw store update p50 / p99', 'failed', 'target met?'],
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
          both(r.raw),
          r.failed,
          verdict(r),
        ]),
      ),
      `Slack API calls per measured click: ${[...calls.entries()].map(([method, count]) => `${method} ${(count / clicks).toFixed(2)}`).join(', ')}`,
      `load average (1, 5, 15 min) before: ${loadBefore}; after: ${loadAverage()}`,
      ...(counts.size > 0 ? [`logged by the bot: ${[...counts.entries()].map(([msg, n]) => `${n}× ${msg}`).join('; ')}`] : []),
    ].join('\n');
  } finally {
    responses.stop();
    await stopInOrder('slack', [
      ['bot', async () => app?.stop()],
      ['baseline', async () => baseline?.close()],
      // After the bot, so its last Slack calls still find the fake.
      ['Slack clicker thread', () => clicker.stop()],
      ['queue keys', () => deleteQueueKeys(env.redisUrl, env.prefix)],
      ['bench env', () => env.close()],
    ]);
  }
}

export async function benchSlackLatency(): Promise<string> {
  const parts = [
    `Slack latency: ack and click→update (signed Done POST → chat.update at the fake Slack), p50/p99, against a bare Bolt app that only acks. Targets at every concurrency: ack p99 ≤ ${TARGET_ACK_P99_MS} ms and ≤ ${TARGET_ACK_RATIO} × the bare app's; click→update p99 ≤ ${TARGET_UPDATE_P99_MS} ms, or ≤ the store's raw conditional update p99 + 50 ms where that p99 is above 100 ms.`,
  ];
  for (const backend of benchBackends()) parts.push(await onBackend(backend));
  return parts.join('\n\n');
}

// Alerts through the whole bot (startApp: Bolt in HTTP mode, the alert webhooks, the alert
// service, MongoDB, BullMQ) with Slack faked at its HTTP boundary. Unlike slack-latency.ts,
// the fake Slack (test/support/fake-slack.ts) and the senders run in this process: the
// figures here are tens of ms per alert, dominated by the database, so the fake's share of
// the event loop is small by comparison (said in docs/benchmarks.md).
//
// P published playbooks match `service_down` (human, one step, variables deviceId and
// serviceName), P = 1 then 100 (99 more published on the same app). With 100 the card shows
// 5 (the view caps it) but matching reads all 100: the alert service lists the published
// playbooks for every alert.
//
// 1. Webhook throughput: N generic alerts (`POST /alerts`, bearer token, type service_down,
//    distinct fingerprints and hosts) sent by C = 10 concurrent senders (fetch, keep-alive);
//    the bot answers after the alert is stored and its card posted to ALERTS_CHANNEL. Alerts/s
//    from the first send to the last response, and per-request latency p50/p99. Baseline,
//    same run: as many POSTs of the same bodies, same concurrency, to a bare node http server
//    that reads the body, parses the JSON and answers.
// 2. Event → card: signed Events API `message` events (Alertmanager's default Slack message,
//    test/fixtures/alerts/alertmanager-slack-firing.json, with the instance in the title made
//    unique per event, so a distinct fingerprint, and a distinct ts), from just before the
//    POST until the fake Slack has read the chat.postMessage of the card whose thread_ts is
//    the event's ts (stamped where the fake records the call, in-process, performance.now()).
//    One at a time, and 10 at once (rounds of 10, each timed on its own).
// Samples per configuration: BENCH_ALERTS, default 200, after a short warm-up; a row also
// stops taking new samples after BENCH_ALERTS_SECONDS (default 10 s; warm-ups 3 s): at 100
// playbooks an alert takes seconds on FerretDB, so those rows hold what fits (the table says
// how many). The app's database connection has command monitoring on: the commands that end
// during the webhook rows are counted per alert and driver-timed.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { startApp, type App } from '../src/app/create-app.js';
import { parseDefinition } from '../src/engine/definition/index.js';
import { startFakeSlack, type FakeSlack, type FakeSlackCall } from '../test/support/fake-slack.js';
import { createSlackSender, type SlackSender } from '../test/support/slack-requests.js';
import { benchBackends, countingLogger, deleteQueueKeys, openBenchEnv, percentile, stopInOrder, table, timeCommands, benchAppConfig, type Backend, type BenchEnv, loadAverage } from './support.js';

const SIGNING_SECRET = 'bench-signing-secret';
const TOKEN = 'bench-alerts-token';
const ALERTS_CHANNEL = 'C0BENCHALERTS';
const MONITOR_CHANNEL = 'C0BENCHMON';
const PLAYBOOKS = [1, 100];
const SENDERS = 10;
const EVENTS_AT_ONCE = [1, 10];
const WARMUP = 10;
const SAMPLES = Number(process.env.BENCH_ALERTS ?? 200);
const ROW_MS = Number(process.env.BENCH_ALERTS_SECONDS ?? 10) * 1000;
const WARMUP_MS = 3000;

const FIRING = JSON.parse(readFileSync(new URL('../test/fixtures/alerts/alertmanager-slack-firing.json', import.meta.url), 'utf8')) as {
  event: Record<string, unknown> & { attachments: Array<Record<string, unknown>> };
} & Record<string, unknown>;

/** A bench-unique tag per alert: every alert of the run has its own fingerprint. */
let serial = 0;

function genericAlert(tag: string): Record<string, unknown> {
  serial += 1;
  return { type: 'service_down', severity: 'high', host: `web-${serial}`, summary: 'nginx down', labels: { service: 'nginx' }, fingerprint: `bench-${tag}-${serial}` };
}

/** Alertmanager's firing message, its title naming a unique instance, at a unique ts. */
function alertmanagerEvent(): { body: Record<string, unknown>; ts: string } {
  serial += 1;
  const ts = `1900000000.${String(serial).padStart(6, '0')}`;
  const title = `[FIRING:1] InstanceDown node-${serial}.bench:9100 (node critical)`;
  const [attachment] = FIRING.event.attachments;
  return {
    ts,
    body: {
      ...FIRING,
      event_id: `EvBENCH${serial}`,
      event: { ...FIRING.event, channel: MONITOR_CHANNEL, ts, event_ts: ts, attachments: [{ ...attachment, title, fallback: title }] },
    },
  };
}

interface Posted {
  perSecond: number;
  latency: number[];
  failed: number;
}

/** N POSTs of `bodyFor(i)` to `url` by `senders` concurrent senders; each timed on its own. */
async function postAll(url: string, n: number, senders: number, bodyFor: () => Record<string, unknown>, budgetMs = ROW_MS): Promise<Posted> {
  const bodies = Array.from({ length: n }, () => JSON.stringify(bodyFor()));
  const latency: number[] = [];
  let failed = 0;
  let next = 0;
  const began = performance.now();
  const sender = async () => {
    // The first round always goes; after the budget no sender takes a new body.
    while (next < bodies.length && (next < senders || performance.now() - began < budgetMs)) {
      const body = bodies[next++]!;
      const t0 = performance.now();
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body });
      await res.arrayBuffer();
      latency.push(performance.now() - t0);
      if (res.status !== 200) failed += 1;
    }
  };
  await Promise.all(Array.from({ length: senders }, sender));
  const took = (performance.now() - began) / 1000;
  return { perSecond: latency.length / took, latency: latency.sort((a, b) => a - b), failed };
}

/** A bare node http server: reads the body, parses the JSON, answers it was received. */
async function startBareServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { fingerprint?: string };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ alerts: [{ fingerprint: body.fingerprint, outcome: 'new' }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1' }, resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Stamps (performance.now()) each card the fake Slack records: the fake pushes a call onto
 * its `calls` array once it has read and answered the request, just before writing the answer.
 */
function watchCards(fake: FakeSlack) {
  const waiting = new Map<string, (at: number) => void>();
  let webhookCards = 0;
  const calls = fake.calls as FakeSlackCall[];
  calls.push = (...items: FakeSlackCall[]) => {
    const at = performance.now();
    for (const c of items) {
      if (c.method !== 'chat.postMessage' || !c.ok) continue;
      if (c.args.channel === ALERTS_CHANNEL && c.args.thread_ts === undefined) webhookCards += 1;
      const thread = c.args.thread_ts;
      if (typeof thread === 'string') {
        waiting.get(thread)?.(at);
        waiting.delete(thread);
      }
    }
    return Array.prototype.push.apply(calls, items);
  };
  return {
    card(threadTs: string): Promise<number> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(threadTs);
          reject(new Error(`no card in thread ${threadTs} within 20 s`));
        }, 20_000);
        waiting.set(threadTs, (at) => {
          clearTimeout(timer);
          resolve(at);
        });
      });
    },
    webhookCards: () => webhookCards,
    stop() {
      delete (calls as { push?: unknown }).push;
    },
  };
}

interface EventMeasured {
  latency: number[];
  ack: number[];
  failed: number;
}

/** `n` events, `atOnce` in flight per round; each from just before its POST to its card. */
async function sendEvents(slack: SlackSender, cards: ReturnType<typeof watchCards>, n: number, atOnce: number, budgetMs = ROW_MS): Promise<EventMeasured> {
  const latency: number[] = [];
  const ack: number[] = [];
  let failed = 0;
  const began = performance.now();
  for (let done = 0; done < n && (done === 0 || performance.now() - began < budgetMs); done += atOnce) {
    await Promise.all(
      Array.from({ length: Math.min(atOnce, n - done) }, async () => {
        const { body, ts } = alertmanagerEvent();
        const card = cards.card(ts);
        const t0 = performance.now();
        const reply = await slack.event(body);
        ack.push(performance.now() - t0);
        if (reply.status !== 200) failed += 1;
        try {
          latency.push((await card) - t0);
        } catch {
          failed += 1;
        }
      }),
    );
  }
  return { latency: latency.sort((a, b) => a - b), ack: ack.sort((a, b) => a - b), failed };
}

async function publishPlaybooks(app: App, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i += 1) {
    const parsed = parseDefinition({
      name: `Bench restart ${String(i + 1).padStart(3, '0')}`,
      audience: 'human',
      variables: [{ name: 'deviceId', required: true }, { name: 'serviceName', required: true }],
      trigger: { alert_types: ['service_down'] },
      steps: [{ label: 'Restart {{serviceName}} on {{deviceId}}', instruction: 'Restart it.' }],
    });
    if (!parsed.ok) throw new Error(`bad bench definition: ${JSON.stringify(parsed.problems)}`);
    await app.runbooks.save({ source: parsed.source, author: { kind: 'cli', id: 'bench' }, publish: true });
  }
}

const ms = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(1));

interface WebhookRow {
  playbooks: number;
  bot: Posted;
  cards: number;
  baseline: Posted;
}

interface EventRow {
  playbooks: number;
  atOnce: number;
  measured: EventMeasured;
}

async function onBackend(backend: Backend): Promise<string> {
  const loadBefore = loadAverage();
  const began = performance.now();
  const env: BenchEnv = await openBenchEnv(backend);
  const { logger, counts } = countingLogger();
  let app: App | undefined;
  let fake: FakeSlack | undefined;
  let cards: ReturnType<typeof watchCards> | undefined;
  let bare: Awaited<ReturnType<typeof startBareServer>> | undefined;
  const n = SAMPLES;
  // Database commands that ended while `counting`, by command and collection: count, total ms.
  let counting = false;
  let commands = new Map<string, [number, number]>();
  try {
    fake = await startFakeSlack();
    cards = watchCards(fake);
    bare = await startBareServer();
    const config = benchAppConfig(env, {
      slackApiUrl: fake.apiUrl,
      slackBotToken: 'xoxb-bench-token',
      slackSigningSecret: SIGNING_SECRET,
      alertsToken: TOKEN,
      alertsChannel: ALERTS_CHANNEL,
    });
    app = await startApp({ config, logger, queuePrefix: env.prefix, builtinPlaybooks: false });
    const slack = createSlackSender({ url: `http://127.0.0.1:${app.port}/slack/events`, signingSecret: SIGNING_SECRET, responseUrlFor: fake.responseUrl });
    commands = timeCommands(app.db.conn.getClient(), () => counting);
    const perAlert: string[] = [];
    const webhookUrl = `http://127.0.0.1:${app.port}/alerts`;
    const webhooks: WebhookRow[] = [];
    const events: EventRow[] = [];
    let published = 0;
    for (const playbooks of PLAYBOOKS) {
      await publishPlaybooks(app, published, playbooks);
      published = playbooks;
      const tag = `p${playbooks}`;
      await postAll(bare.url, WARMUP, SENDERS, () => genericAlert(`${tag}-warm-base`), WARMUP_MS);
      const baseline = await postAll(bare.url, n, SENDERS, () => genericAlert(`${tag}-base`));
      await postAll(webhookUrl, WARMUP, SENDERS, () => genericAlert(`${tag}-warm`), WARMUP_MS);
      const before = cards.webhookCards();
      commands.clear();
      counting = true;
      const bot = await postAll(webhookUrl, n, SENDERS, () => genericAlert(tag));
      counting = false;
      webhooks.push({ playbooks, bot, cards: cards.webhookCards() - before, baseline });
      const alerts = bot.latency.length;
      perAlert.push(
        `database commands per webhook alert, ${playbooks} playbooks (count × mean ms, driver-timed): ${[...commands.entries()]
          .sort((a, b) => b[1][1] - a[1][1])
          .map(([key, [k, total]]) => `${key} ${(k / alerts).toFixed(1)} × ${ms(total / k)}`)
          .join(', ')}`,
      );
      await sendEvents(slack, cards, WARMUP, 1, WARMUP_MS);
      for (const atOnce of EVENTS_AT_ONCE) events.push({ playbooks, atOnce, measured: await sendEvents(slack, cards, n, atOnce) });
    }
    const pair = (sorted: number[]) => `${ms(percentile(sorted, 50))} / ${ms(percentile(sorted, 99))}`;
    return [
      `${env.server}; playbooks matching service_down published; Bolt HTTP mode and the fake Slack in one process on 127.0.0.1; times in ms`,
      `Webhook: up to ${n} generic alerts per row (or what fits in ${ROW_MS / 1000} s) (POST /alerts, distinct fingerprints), ${SENDERS} concurrent senders; a response = stored + card posted`,
      table(
        ['matching playbooks', 'alerts', 'alerts/s', 'latency p50', 'latency p99', 'cards posted', 'failed', 'bare server req/s', 'bare p50 / p99', 'throughput ratio (bot / bare)'],
        webhooks.map((r) => [
          r.playbooks,
          r.bot.latency.length,
          r.bot.perSecond.toFixed(1),
          ms(percentile(r.bot.latency, 50)),
          ms(percentile(r.bot.latency, 99)),
          r.cards,
          r.bot.failed,
          r.baseline.perSecond.toFixed(0),
          pair(r.baseline.latency),
          (r.bot.perSecond / r.baseline.perSecond).toFixed(3),
        ]),
      ),
      `Event → card: Alertmanager's Slack message as a signed Events API message event → chat.postMessage of the card in its thread at the fake Slack; up to ${n} events per row (or what fits in ${ROW_MS / 1000} s)`,
      table(
        ['matching playbooks', 'events at once', 'events', 'event→card p50', 'event→card p99', 'event ack p50 / p99', 'failed'],
        events.map((r) => [r.playbooks, r.atOnce, r.measured.latency.length, ms(percentile(r.measured.latency, 50)), ms(percentile(r.measured.latency, 99)), pair(r.measured.ack), r.measured.failed]),
      ),
      ...perAlert,
      `took ${((performance.now() - began) / 1000).toFixed(0)} s with the server's start; load average (1, 5, 15 min) before: ${loadBefore}; after: ${loadAverage()}`,
      ...(counts.size > 0 ? [`logged by the bot: ${[...counts.entries()].map(([msg, k]) => `${k}× ${msg}`).join('; ')}`] : []),
    ].join('\n');
  } finally {
    await stopInOrder('alerts', [
      ['bot', async () => app?.stop()],
      ['bare server', async () => bare?.close()],
      // After the bot, so its last Slack calls still find the fake.
      ['fake Slack', async () => {
        cards?.stop();
        await fake?.close();
      }],
      ['queue keys', () => deleteQueueKeys(env.redisUrl, env.prefix)],
      ['bench env', () => env.close()],
    ]);
  }
}

export async function benchAlerts(): Promise<string> {
  const parts = [
    'Alerts: webhook alerts/s to a stored alert with its card posted, against a bare node http server; Slack message event → suggestion card at the fake Slack, p50/p99; at 1 and 100 matching playbooks',
  ];
  for (const backend of benchBackends()) parts.push(await onBackend(backend));
  return parts.join('\n\n');
}

// Two bot processes on one database, one Redis and one queue prefix, serving the same Slack
// app: clicks land on either, twice at once, or on a process killed (-9) while it handles
// them or while a wait is pending. Each command takes effect once, the run keeps one live
// message and each finished step one thread reply.
import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { decodeRunActionValue } from '../../src/bot/action-value.js';
import { ActionId } from '../../src/bot/slack-ids.js';
import { parseDefinition } from '../../src/engine/definition/index.js';
import type { Run } from '../../src/engine/index.js';
import { connectMongo } from '../../src/models/connection.js';
import { createRunStore, type RunStore } from '../../src/models/run-store.js';
import { createRunbookStore } from '../../src/models/runbook-store.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { createTestDbName } from '../support/mongo.js';
import { useTestRedis } from '../support/redis.js';
import { startServiceProcess, type ServiceProcess } from '../support/service-process.js';
import { blockActionPayload, createSlackSender, DEFAULT_CHANNEL, type SlackSender } from '../support/slack-requests.js';

const SECRET = 'instances-test-secret';
const LABELS = ['One', 'Two', 'Three', 'Four', 'Five', 'Six', 'Seven', 'Eight'];
const redis = useTestRedis();
const dbName = createTestDbName();
const mongodbUri = () => `${inject('mongodbUri').replace(/\/$/, '')}/${dbName}`;
let fake: FakeSlack;
let prefix: string;
let conn: Awaited<ReturnType<typeof connectMongo>>;
let runs: RunStore;
const started: ServiceProcess[] = [];

interface Instance {
  service: ServiceProcess;
  slack: SlackSender;
}

async function startInstance(): Promise<Instance> {
  const service = await startServiceProcess({
    MONGODB_URI: mongodbUri(),
    REDIS_URL: redis.url,
    SLACK_BOT_TOKEN: 'xoxb-instances-test',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: fake.apiUrl,
    QUEUE_PREFIX: prefix,
  });
  started.push(service);
  return { service, slack: createSlackSender({ url: `http://127.0.0.1:${service.port}/slack/events`, signingSecret: SECRET, responseUrlFor: fake.responseUrl }) };
}

beforeAll(async () => {
  prefix = redis.prefix();
  fake = await startFakeSlack();
  conn = await connectMongo(mongodbUri());
  runs = createRunStore(conn);
  const parsed = parseDefinition({
    name: 'Two instances',
    steps: [...LABELS.slice(0, 6).map((label) => ({ label })), { label: 'Settle', type: 'wait', wait_seconds: 2 }, ...LABELS.slice(6).map((label) => ({ label }))],
  });
  if (!parsed.ok) throw new Error('bad definition');
  await createRunbookStore(conn).save({ source: parsed.source, author: { kind: 'cli', id: 'test' }, publish: true });
});

afterAll(async () => {
  await Promise.all(started.map((s) => s.stop('SIGKILL')));
  await fake?.close();
  await conn?.dropDatabase();
  await conn?.close();
});

const currentLabel = (run: Run) => run.runbook.steps.find((s) => s.id === run.current_step_id)?.label;

function doneValue(ts: string): string {
  const elements = (fake.message(DEFAULT_CHANNEL.id, ts)?.blocks ?? []).flatMap((b) => (b as { elements?: unknown[] }).elements ?? []);
  const found = elements.find((e) => (e as { action_id?: string }).action_id === ActionId.Done) as { value: string } | undefined;
  if (!found) throw new Error(`no Done button on message ${ts}`);
  return found.value;
}

let clicks = 0;
const click = (on: Instance, ts: string, value: string) =>
  on.slack.action(blockActionPayload({ messageTs: ts, actionId: ActionId.Done, value, actionTs: `${++clicks}.${clicks}` }));

/** Waits until the live message offers Done on `label` (whichever instance updated it). */
async function messageAt(ts: string, label: string): Promise<string> {
  return fake.waitFor(
    () => {
      const blocks = JSON.stringify(fake.message(DEFAULT_CHANNEL.id, ts)?.blocks ?? []);
      if (!blocks.includes(`· ${label}*`)) return null;
      try {
        return doneValue(ts);
      } catch {
        return null;
      }
    },
    { timeoutMs: 20_000 },
  );
}

async function runAt(runId: string, label: string): Promise<Run> {
  for (let i = 0; i < 200; i += 1) {
    const run = await runs.load(runId);
    if (currentLabel(run) === label) return run;
    await sleep(50);
  }
  throw new Error(`run ${runId} never reached ${label}`);
}

describe('two bot instances on one store', () => {
  it('applies each click once, keeps one live message and one reply per step, through duplicates and kill -9 mid-click and mid-wait', async () => {
    let a = await startInstance();
    const b = await startInstance();
    await a.slack.command({ text: 'start Two instances' });
    const ts = (await fake.waitForCall('chat.postMessage')).result?.ts as string;
    const runId = decodeRunActionValue(doneValue(ts)).r;

    // One: clicked on b. Two: the same click on both at once (a double click spread by the load balancer).
    await click(b, ts, await messageAt(ts, 'One'));
    const two = await messageAt(ts, 'Two');
    const both = await Promise.all([click(a, ts, two), click(b, ts, two)]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    await runAt(runId, 'Three');

    // Three to Five: the click goes to a, which is killed 0–40 ms after it was sent; the person
    // clicks again (the same button) and the load balancer sends it to b.
    for (const [label, delayMs] of [['Three', 0], ['Four', 15], ['Five', 40]] as const) {
      const value = await messageAt(ts, label);
      const sent = click(a, ts, value).catch(() => null);
      await sleep(delayMs);
      await a.service.stop('SIGKILL');
      await sent;
      expect((await click(b, ts, value)).status).toBe(200);
      await runAt(runId, LABELS[LABELS.indexOf(label) + 1]!);
      a = await startInstance();
    }

    // Six: its Done starts the 2-second wait; the instance that scheduled it may die, the wait still fires once.
    await click(a, ts, await messageAt(ts, 'Six'));
    for (let i = 0; (await runs.load(runId)).status !== 'waiting'; i += 1) {
      if (i > 200) throw new Error('the run never started waiting');
      await sleep(25);
    }
    await a.service.stop('SIGKILL');
    await click(b, ts, await messageAt(ts, 'Seven'));
    await click(b, ts, await messageAt(ts, 'Eight'));
    await fake.waitFor(() => fake.message(DEFAULT_CHANNEL.id, ts)?.text?.endsWith('— completed'), { timeoutMs: 20_000 });

    const run = await runs.load(runId);
    expect(run.status).toBe('completed');
    const audit = await runs.audit(runId);
    expect(audit.filter((e) => e.command === 'advance')).toHaveLength(8);
    expect(audit.filter((e) => e.command === 'wait_elapsed')).toHaveLength(1);
    // One live message; one reply per step (a reply claimed by a killed instance is posted once its lease ends).
    expect(fake.callsTo('chat.postMessage').filter((c) => c.ok && c.args.thread_ts === undefined)).toHaveLength(1);
    const expected = [...LABELS.slice(0, 6), 'Settle', ...LABELS.slice(6)];
    await fake.waitFor(() => fake.threadReplies(DEFAULT_CHANNEL.id, ts).length >= expected.length, { timeoutMs: 90_000 });
    await sleep(500); // a second copy of any reply would land now
    const replies = fake.threadReplies(DEFAULT_CHANNEL.id, ts).map((m) => m.text ?? '');
    for (const label of expected) expect(replies.filter((t) => t.includes(` ${label} —`) || t.startsWith(`${label} `) || t.includes(`${label} —`)), `replies for ${label}`).toHaveLength(1);
    expect(replies).toHaveLength(expected.length);
  }, 180_000);
});

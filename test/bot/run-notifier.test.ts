// The notifier against a real store and a real WebClient (Slack faked at HTTP), with its
// clock in the test's hands so the location cache can be made to expire at the worst time.
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createRunNotifier } from '../../src/bot/run-notifier.js';
import type { Run } from '../../src/engine/index.js';
import { silentLogger } from '../../src/logger.js';
import { createRunMessageStore } from '../../src/models/run-message-store.js';
import { alice, begin, done, NOW, step } from '../engine/support/runbook.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { useTestDatabase } from '../support/mongo.js';

const db = useTestDatabase();
let fake: FakeSlack;

beforeAll(async () => {
  fake = await startFakeSlack();
});
afterAll(async () => {
  await fake.close();
});

const steps = { name: 'Three', steps: [{ label: 'One' }, { label: 'Two' }, { label: 'Three' }] };
const many = { name: 'Twelve', steps: Array.from({ length: 12 }, (_, i) => ({ label: `Step ${i + 1}` })) };

/** A notifier as one bot instance has it: its own client and caches, the shared store. */
function instance(name: string, opts: { loadRun: () => Promise<Run>; now?: () => number; retryDelaysMs?: number[] }) {
  const now = opts.now ?? Date.now;
  const messages = createRunMessageStore(db.conn(), now);
  const notifier = createRunNotifier({
    client: new WebClient(`xoxb-${name}`, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } }),
    messages,
    loadRun: opts.loadRun,
    clock: now,
    logger: silentLogger,
    ...(opts.retryDelaysMs ? { retryDelaysMs: opts.retryDelaysMs } : {}),
  });
  return { messages, notifier };
}

let runs = 0;
/** A run of `definition` with an id of its own: reply claims are kept per run id in the shared store. */
const fresh = (definition: unknown): Run => ({ ...begin(definition).run, id: `run_notifier${String(++runs).padStart(4, '0')}` });

const replyTexts = (channel: string, ts: string) => fake.threadReplies(channel, ts).map((m) => m.text ?? '');

describe('the run notifier', () => {
  it('posts each step reply once even when the location cache expires while a refresh reads it', async () => {
    let now = NOW;
    let latest: Run = begin(steps).run;
    const messages = createRunMessageStore(db.conn(), () => now);
    const notifier = createRunNotifier({
      client: new WebClient('xoxb-notifier-test', { slackApiUrl: fake.apiUrl }),
      messages,
      loadRun: async () => latest,
      clock: () => now,
      logger: silentLogger,
    });
    const { ts } = await notifier.publish(latest, { channel: 'C0NOTIFY' });

    for (let i = 0; i < 2; i += 1) {
      now += 60_000; // past the location cache's TTL
      latest = step(latest, done(alice), now).run;
      // The render reads the location, and a click's refresh reads it again before the render is done.
      notifier.render(latest);
      const refresh = notifier.location(latest.id);
      await refresh;
      await notifier.idle();
    }
    // Within the TTL: whatever the cache holds now must know both replies are posted.
    notifier.render(latest);
    await notifier.idle();

    expect(fake.threadReplies('C0NOTIFY', ts).map((m) => m.text)).toEqual([expect.stringContaining('One'), expect.stringContaining('Two')]);
    expect((await messages.get(latest.id))?.reported).toHaveLength(2);
  });

  it('posts each reply once when two instances render every state of a run at the same time', async () => {
    let latest: Run = fresh(many);
    const a = instance('a', { loadRun: async () => latest });
    const b = instance('b', { loadRun: async () => latest });
    const { ts } = await a.notifier.publish(latest, { channel: 'C0TWO' });

    for (let i = 0; i < 12; i += 1) {
      latest = step(latest, done(alice), NOW + i).run;
      // Each instance renders the state its own command produced, in either order.
      if (i % 2 === 0) {
        a.notifier.render(latest);
        b.notifier.render(latest);
      } else {
        b.notifier.render(latest);
        a.notifier.render(latest);
      }
      await Promise.all([a.notifier.idle(), b.notifier.idle()]);
    }

    const texts = replyTexts('C0TWO', ts);
    expect(texts).toHaveLength(12);
    for (let n = 1; n <= 12; n += 1) expect(texts.filter((t) => t.includes(`Step ${n}*`) || t.includes(`Step ${n} `) || t.endsWith(`Step ${n}`)).length, `replies for Step ${n}`).toBe(1);
    expect(latest.status).toBe('completed');
    expect(fake.message('C0TWO', ts)?.text).toContain('completed');
  });

  it('renders the newest state again when an older state’s update lands after it (another instance was slower)', async () => {
    let latest: Run = fresh(steps);
    const a = instance('a', { loadRun: async () => latest });
    const b = instance('b', { loadRun: async () => latest });
    const { ts } = await a.notifier.publish(latest, { channel: 'C0ORDER' });
    const older = step(latest, done(alice), NOW + 1).run;
    latest = step(older, done(alice), NOW + 2).run;

    a.notifier.render(latest);
    await a.notifier.idle();
    const shown = fake.message('C0ORDER', ts)?.blocks;
    b.notifier.render(older); // lands last, with the state before
    await b.notifier.idle();

    expect(fake.message('C0ORDER', ts)?.blocks).toEqual(shown);
    expect(replyTexts('C0ORDER', ts)).toHaveLength(2);
  });

  it('posts a reply whose claim a dead process holds once the lease is over, without another change to the run', async () => {
    let now = NOW;
    let latest: Run = fresh(steps);
    const a = instance('a', { loadRun: async () => latest, now: () => now, retryDelaysMs: [20, 20, 20, 20, 20, 20, 20, 20] });
    const { ts } = await a.notifier.publish(latest, { channel: 'C0LEASE' });
    latest = step(latest, done(alice), now).run;
    const key = `${latest.steps[0]!.step_id}#1`;
    // Another process claimed the reply and died before posting it.
    expect(await a.messages.replies.claim(latest.id, key)).toHaveProperty('attempt');

    a.notifier.render(latest);
    await a.notifier.idle();
    expect(replyTexts('C0LEASE', ts)).toHaveLength(0);

    now += 61_000;
    await fake.waitFor(() => replyTexts('C0LEASE', ts).length === 1, { timeoutMs: 5_000 });
    await a.notifier.idle(); // the render that posted it is still recording that it did
    expect(await a.messages.replies.claim(latest.id, key)).toEqual({ posted: true });
    expect((await a.messages.get(latest.id))?.reported).toEqual([key]);
  });

  it('posts a reply Slack refused once Slack answers again, without another change to the run', async () => {
    let latest: Run = fresh(steps);
    const a = instance('a', { loadRun: async () => latest, retryDelaysMs: [50, 50, 50, 50, 50, 50, 50, 50] });
    const { ts } = await a.notifier.publish(latest, { channel: 'C0DOWN' });
    latest = step(latest, done(alice), NOW + 1).run;
    fake.fail('chat.postMessage', { status: 429, retryAfterSeconds: 1, times: 3 });

    a.notifier.render(latest);
    await a.notifier.idle();
    expect(replyTexts('C0DOWN', ts)).toHaveLength(0);

    await fake.waitFor(() => replyTexts('C0DOWN', ts).length === 1, { timeoutMs: 10_000 });
    expect(fake.callsTo('chat.postMessage').filter((c) => c.ok && c.args.thread_ts === ts)).toHaveLength(1);
  });

  it('does not post a reply again when the process that claimed it died after Slack took it, before recording so', async () => {
    let now = NOW;
    let latest: Run = fresh(steps);
    const a = instance('a', { loadRun: async () => latest, now: () => now });
    const { ts } = await a.notifier.publish(latest, { channel: 'C0DIED' });
    latest = step(latest, done(alice), now).run;
    // a posts the reply, then "dies" before it records the post.
    a.messages.replies.posted = async () => {
      throw new Error('killed before recording the post');
    };
    a.notifier.render(latest);
    await a.notifier.idle();
    a.notifier.stop();
    expect(replyTexts('C0DIED', ts)).toHaveLength(1);

    now += 61_000; // the claim's lease is over: b takes the reply over and looks in the thread first
    const b = instance('b', { loadRun: async () => latest, now: () => now });
    const looked = fake.callsTo('conversations.replies').length;
    b.notifier.render(latest);
    await b.notifier.idle();

    expect(replyTexts('C0DIED', ts)).toHaveLength(1);
    expect(fake.callsTo('conversations.replies').length - looked).toBe(1);
    expect(await b.messages.replies.claim(latest.id, `${latest.steps[0]!.step_id}#1`)).toEqual({ posted: true });
  });
});

// The database stops answering for 30 s under a running bot (a loopback proxy in front of it
// stops forwarding, as a server stopped with SIGSTOP would look): a click in that time is
// answered with an error that says what happened and that the command may not have been
// applied; /readyz says the database is down; afterwards the bot recovers without a restart,
// the run's trail is unbroken and its message shows where it stands without another click.
import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, describe, expect, inject, it } from 'vitest';

import { ActionId } from '../../src/bot/slack-ids.js';
import { connectMongo } from '../../src/models/connection.js';
import { createRunStore } from '../../src/models/run-store.js';
import { createTestDbName } from '../support/mongo.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { useBotRig } from './support/bot-rig.js';
import { clickOn, renderedStep, startFromSlack } from './support/slack-ui.js';

const PAUSE_MS = 30_000;
const target = new URL(inject('mongodbUri'));
const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
const dbName = createTestDbName();
const proxied = new URL(target.href);
proxied.port = String(proxy.port);
proxied.pathname = `/${dbName}`;
const rig = useBotRig({ config: { mongodbUri: proxied.href } });

afterAll(async () => {
  await proxy.close();
  const conn = await connectMongo(inject('mongodbUri'), dbName);
  await conn.dropDatabase();
  await conn.close();
});

const readyz = async () => {
  const res = await fetch(`http://127.0.0.1:${rig().app.port}/readyz`);
  return { status: res.status, body: (await res.json()) as Record<string, string> };
};

describe('the database paused for 30 s', () => {
  it('tells the clicker, changes nothing half-way, and recovers without a restart', async () => {
    await rig().publish({ name: 'Pause', steps: ['One', 'Two', 'Three', 'Four'].map((label) => ({ label })) });
    const live = await startFromSlack(rig(), 'start pause');
    const { fake } = rig();
    await clickOn(rig(), live, ActionId.Done);
    await fake.waitFor(() => renderedStep(fake.message(live.channel, live.ts)) !== undefined && fake.message(live.channel, live.ts)?.text?.includes('Two'), { timeoutMs: 10_000 });
    await rig().app.notifier?.idle();

    proxy.pause();
    const pausedAt = Date.now();
    const reply = await clickOn(rig(), live, ActionId.Done, { responseUrl: fake.responseUrl('paused') });
    expect(reply.status).toBe(200); // acknowledged at once, as Slack requires
    const told = JSON.stringify((await fake.waitForResponse('paused', { timeoutMs: 40_000 })).body);
    expect(told).toContain('the database did not answer in time');
    expect(told).toContain('may not have been applied');
    expect(await readyz()).toMatchObject({ status: 503, body: { mongodb: 'down' } });
    await sleep(Math.max(0, PAUSE_MS - (Date.now() - pausedAt)));
    proxy.resume();

    // Recovered without a restart: ready again, and the message shows the run as stored.
    await expect.poll(async () => (await readyz()).status, { timeout: 30_000, interval: 500 }).toBe(200);
    const conn = await connectMongo(inject('mongodbUri'), dbName);
    const runs = createRunStore(conn);
    try {
      await expect
        .poll(async () => renderedStep(fake.message(live.channel, live.ts)) === (await runs.load(live.runId)).current_step_id, { timeout: 30_000, interval: 250 })
        .toBe(true);
      // The click during the pause either landed whole or not at all: a trail without gaps,
      // one advance per step left behind, and the next click moves the run on from there.
      const before = await runs.load(live.runId);
      const at = before.runbook.steps.findIndex((s) => s.id === before.current_step_id);
      expect([1, 2]).toContain(at);
      await clickOn(rig(), live, ActionId.Done);
      await expect.poll(async () => (await runs.load(live.runId)).audit_seq, { timeout: 15_000 }).toBe(before.audit_seq + 1);
      const trail = await runs.audit(live.runId);
      expect(trail.map((e) => e.seq)).toEqual(trail.map((_, i) => i + 1));
      expect(trail.filter((e) => e.command === 'advance')).toHaveLength(at + 1);
      await expect.poll(() => fake.threadReplies(live.channel, live.ts).length, { timeout: 15_000 }).toBe(at + 1);
    } finally {
      await conn.close();
    }
  }, 120_000);
});

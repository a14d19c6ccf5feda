// A runner's registration, heartbeats and stop reach the device store only through the
// runner events queue, and only when the device's credential signed them lately: against the
// real Redis and test server, a forged, replayed-late or unenrolled event changes nothing.
import { Queue, type Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createRedis } from '../../src/jobs/redis.js';
import { RUNNER_EVENTS_QUEUE, createRunnerEventWorker, createRunnerEvents, finishedJob, type RunnerEventOutcome } from '../../src/jobs/runner-events.js';
import { createDeviceCredentialStore, enrollInProcess } from '../../src/models/device-credential-store.js';
import { createDeviceStore, type DeviceStore } from '../../src/models/device-store.js';
import { createDeviceKeyPair, parseDeviceCredential, signValue, type DeviceCredential } from '../../src/runner/device-credential.js';
import { useTestDatabase } from '../support/mongo.js';
import { useTestRedis } from '../support/redis.js';

const db = useTestDatabase();
const redis = useTestRedis();
const admin = { kind: 'cli' as const, id: 'tester' };
const details = { hostname: 'edge', os: { platform: 'linux', release: '6', arch: 'x64' }, tags: ['edge'], tools: ['http_check'], runner_version: 'test', pid: 42 };
const closers: Array<() => Promise<unknown>> = [];
let devices: DeviceStore;
let edge: DeviceCredential;
let other: DeviceCredential;
let worker: Worker;

beforeAll(async () => {
  devices = createDeviceStore(db.conn(), { heartbeatMs: 1_000 });
  const credentials = createDeviceCredentialStore(db.conn(), { cacheMs: 0 });
  edge = await enrollInProcess(credentials, 'edge-01', admin);
  other = await enrollInProcess(credentials, 'edge-02', admin);
  worker = createRunnerEventWorker({ connection: createRedis(redis.url, { forWorker: true }), prefix: redis.prefix(), devices, credentials });
  closers.push(() => worker.close());
});
afterAll(async () => {
  while (closers.length) await closers.pop()?.();
});

const eventsOf = (credential: DeviceCredential, clock?: () => number) => {
  const events = createRunnerEvents({ connection: createRedis(redis.url), prefix: redis.prefix(), credential, ...(clock ? { clock } : {}) });
  closers.push(() => events.close());
  return events;
};

/** Adds a raw job to the queue, as anyone holding the Redis password could, and returns the bot's verdict. */
async function forge(data: Record<string, unknown>): Promise<RunnerEventOutcome> {
  const queue = new Queue(RUNNER_EVENTS_QUEUE, { connection: createRedis(redis.url), prefix: redis.prefix() });
  closers.push(() => queue.close());
  const job = await queue.add('forged', data);
  const done = await finishedJob<RunnerEventOutcome>(queue, job.id!, 5_000);
  if (!done) throw new Error('the event was not processed');
  return done.returnvalue;
}

describe('runner events', () => {
  it('registers, beats and stops a device whose credential signed the events', async () => {
    const events = eventsOf(edge);
    expect(await events.register('session-1', details, 5_000)).toEqual({ outcome: 'applied' });
    expect(await devices.get('edge-01')).toMatchObject({ status: 'online', session: 'session-1', tags: ['edge'], tools: ['http_check'] });
    await events.heartbeat('session-1');
    expect(await events.stopped('session-1', 5_000)).toEqual({ outcome: 'applied' });
    expect(await devices.get('edge-01')).toMatchObject({ status: 'offline' });
  });

  it('refuses a registration signed by another device, an unsigned one, a late one and one from a device never enrolled', async () => {
    const unsigned = { kind: 'register', deviceId: 'edge-03', session: 's', at: Date.now(), registration: details };
    expect(await forge({ ...unsigned, deviceId: 'edge-01', signature: signValue(other, { ...unsigned, deviceId: 'edge-01' }) })).toEqual({
      outcome: 'refused',
      reason: "its signature is not device edge-01's current credential",
    });
    expect((await forge({ ...unsigned, deviceId: 'edge-01' })).outcome).toBe('refused');

    const late = eventsOf(edge, () => Date.now() - 10 * 60_000);
    const lateOutcome = await late.register('replayed', details, 5_000);
    expect(lateOutcome).toMatchObject({ outcome: 'refused', reason: expect.stringContaining('more than 5 minutes from now') });

    const stranger = eventsOf(parseDeviceCredential(createDeviceKeyPair('edge-03').credential));
    expect(await stranger.register('s', details, 5_000)).toEqual({ outcome: 'refused', reason: 'device edge-03 is not enrolled (runbook-bot runner enroll edge-03)' });
    expect(await devices.get('edge-03')).toBeNull();
    expect(await devices.get('edge-01')).toMatchObject({ session: 'session-1' });
  });
});

import type mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { connectMongo } from '../../src/models/connection.js';
import { createDeviceStore, type DeviceRegistration } from '../../src/models/device-store.js';
import { createTestDbName } from '../support/mongo.js';

const RACES = 300;

let conns: mongoose.Connection[] = [];
beforeAll(async () => {
  const name = createTestDbName();
  conns = [await connectMongo(inject('mongodbUri'), name), await connectMongo(inject('mongodbUri'), name)];
});
afterAll(async () => {
  await conns[0]?.dropDatabase();
  await Promise.all(conns.map((c) => c.close()));
});

const registration = (id: string, session: string): DeviceRegistration => ({
  id,
  session,
  hostname: `${id}.local`,
  os: { platform: 'linux', release: '6.1', arch: 'x64' },
  tags: ['web'],
  tools: ['echo'],
  runner_version: '0.1.0',
  pid: 4242,
});

describe('device store', () => {
  it('takes heartbeats from the registered runner only, and shows a clean stop at once', async () => {
    let clock = 1_000_000;
    const devices = createDeviceStore(conns[0]!, { now: () => clock, heartbeatMs: 1_000 });
    await devices.register(registration('web-01', 's1'));
    clock += 2_500;
    expect(await devices.heartbeat('web-01', 's1')).toBe(true);
    expect(await devices.get('web-01')).toMatchObject({ status: 'online', last_seen: clock, session: 's1' });
    expect(await devices.heartbeat('web-01', 'someone-else')).toBe(false);
    expect(await devices.heartbeat('nope', 's1')).toBe(false);
    await devices.markStopped('web-01', 's1');
    expect(await devices.get('web-01')).toMatchObject({ status: 'offline', stopped_at: clock });
    // A new runner on the same device: online again under its own session.
    clock += 1_000;
    await devices.register(registration('web-01', 's2'));
    expect(await devices.get('web-01')).toMatchObject({ status: 'online', session: 's2', stopped_at: null, last_seen: clock });
    clock += 3_100;
    expect((await devices.get('web-01'))?.status).toBe('offline'); // three beats missed
  });

  it(`never lets an old runner's heartbeat undo a new runner's registration, ${RACES} times on two connections`, async () => {
    const old = createDeviceStore(conns[0]!);
    const fresh = createDeviceStore(conns[1]!);
    for (let race = 0; race < RACES; race += 1) {
      const id = `race-${race}`;
      await old.register(registration(id, 'old'));
      await Promise.all([old.heartbeat(id, 'old'), fresh.register(registration(id, 'new')), old.heartbeat(id, 'old')]);
      expect((await fresh.get(id))?.session, `race ${race}`).toBe('new');
      expect(await old.heartbeat(id, 'old')).toBe(false);
      expect(await fresh.heartbeat(id, 'new')).toBe(true);
    }
  }, 120_000);
});

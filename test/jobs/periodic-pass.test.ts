// Periodic passes on several instances (here several passes in one process, on one real
// Redis): each interval's pass runs on one of them, and the passes go on when one stops.
import { randomUUID } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { createPassClaim } from '../../src/jobs/pass-claim.js';
import { createPeriodicPass } from '../../src/jobs/periodic-pass.js';
import { useTestRedis } from '../support/redis.js';

const redis = useTestRedis();

const INTERVAL_MS = 40;

function instances(count: number, prefix: string) {
  // The interval each pass was claimed for (a pass may start just after the interval ends).
  const slots: { instance: number; slot: number }[] = [];
  let passes = 0;
  const passesOf = new Map<number, number>();
  const all = Array.from({ length: count }, (_, instance) => {
    const pass = createPeriodicPass('test pass', async () => {
      passes += 1;
      passesOf.set(instance, (passesOf.get(instance) ?? 0) + 1);
    });
    const claim = createPassClaim(redis.redis(), prefix, `instance-${instance}`);
    pass.start(INTERVAL_MS, async (name, slot, intervalMs) => {
      const won = await claim(name, slot, intervalMs);
      if (won) slots.push({ instance, slot });
      return won;
    });
    return pass;
  });
  return { slots, passes: all, ran: () => passes, passesOf };
}

describe('periodic passes claimed in Redis', () => {
  it('runs each interval’s pass on one of three instances only', async () => {
    const { slots, passes, ran } = instances(3, redis.prefix());
    await expect.poll(ran, { timeout: 10_000, interval: 20 }).toBeGreaterThanOrEqual(20);
    await Promise.all(passes.map((p) => p.stop()));

    const perSlot = new Map<number, number>();
    for (const { slot } of slots) perSlot.set(slot, (perSlot.get(slot) ?? 0) + 1);
    expect([...perSlot.entries()].filter(([, n]) => n > 1)).toEqual([]);
    // A pass runs only for an interval its instance won (fewer if one was still running then).
    expect(ran()).toBeLessThanOrEqual(slots.length);
  });

  it('goes on running the pass when the instance that won the last intervals stops', async () => {
    const { slots, passes, passesOf } = instances(2, redis.prefix());
    await expect.poll(() => slots.length, { timeout: 10_000, interval: 20 }).toBeGreaterThanOrEqual(3);
    const last = slots.at(-1)!.instance;
    await passes[last]!.stop();
    const other = 1 - last;
    const before = passesOf.get(other) ?? 0;
    await expect.poll(() => (passesOf.get(other) ?? 0) - before, { timeout: 10_000, interval: 20 }).toBeGreaterThanOrEqual(3);
    await Promise.all(passes.map((p) => p.stop()));
  });

  it('lets one of two claims for the same interval through', async () => {
    const prefix = redis.prefix();
    const a = createPassClaim(redis.redis(), prefix, 'a');
    const b = createPassClaim(redis.redis(), prefix, 'b');
    for (let slot = 0; slot < 100; slot += 1) {
      const won = await Promise.all([a('race', slot, 1_000), b('race', slot, 1_000)]);
      expect(won.filter(Boolean)).toHaveLength(1);
    }
    expect(await a(`other-${randomUUID()}`, 0, 1_000)).toBe(true);
  });
});

// Which bot instance runs a periodic pass this time round: the first to set the key of the
// pass's current interval (its number since the epoch) in Redis with SET NX. Every instance
// keeps its timer, so the passes go on whichever instances stop; the work itself is safe to
// repeat (job ids and idempotency keys are deterministic), the claim only keeps N instances
// from doing it N times an interval.
import type { Redis } from 'ioredis';

/** True when this instance should run pass `name` for interval number `slot`. */
export type PassClaim = (name: string, slot: number, intervalMs: number) => Promise<boolean>;

export function createPassClaim(redis: Pick<Redis, 'set'>, prefix: string, instanceId: string): PassClaim {
  // Kept two intervals: long enough that a slow timer of the same slot still finds it.
  return async (name, slot, intervalMs) => (await redis.set(`${prefix}:pass:${name}:${slot}`, instanceId, 'PX', Math.max(1, 2 * intervalMs), 'NX')) === 'OK';
}

// The result worker's checks that need no queue: a run's device read once and kept (it never
// changes), a missing run not remembered; the bot's seal accepted only over what it sealed.
import { randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { resultSeal } from '../../src/jobs/result-seal.js';
import { cachedDeviceOf } from '../../src/jobs/tool-result-worker.js';

describe('cachedDeviceOf', () => {
  it('reads a run’s device once, and asks again about a run that was not there', async () => {
    const reads: string[] = [];
    const devices = new Map<string, string | null>([['run_a', 'web-01'], ['run_b', null]]);
    const cached = cachedDeviceOf({
      deviceOf: async (id) => {
        reads.push(id);
        return devices.get(id);
      },
    });
    expect([await cached.deviceOf('run_a'), await cached.deviceOf('run_a'), await cached.deviceOf('run_b'), await cached.deviceOf('run_b')]).toEqual(['web-01', 'web-01', null, null]);
    expect(await cached.deviceOf('run_c')).toBeUndefined();
    devices.set('run_c', 'web-02');
    expect(await cached.deviceOf('run_c')).toBe('web-02');
    expect(reads).toEqual(['run_a', 'run_b', 'run_c', 'run_c']);
  });
});

describe('resultSeal', () => {
  const timeout = { callId: 'call-1', runId: 'run_a', stepId: 'rbs_a', visit: 1, try: 1, deviceId: 'web-01', source: 'timeout' as const, ok: false, output: null, error: 'device web-01 did not answer in 5 s' };

  it('accepts its own seal and refuses it over anything changed, or from another key', () => {
    const seal = resultSeal(randomBytes(32));
    const sealed = seal.seal(timeout);
    expect(seal.check(timeout, sealed)).toBe(true);
    expect(seal.check({ ...timeout, runId: 'run_b' }, sealed)).toBe(false);
    expect(seal.check({ ...timeout, source: 'dispatch' }, sealed)).toBe(false);
    expect(seal.check(timeout, resultSeal(randomBytes(32)).seal(timeout))).toBe(false);
    expect(seal.check(timeout, 'not-a-seal')).toBe(false);
  });
});

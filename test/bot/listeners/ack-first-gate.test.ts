import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { createAckFirstGate } from '../../../src/bot/listeners/actions/ack-first-gate.js';

const OPTIONS = { quietMs: 2, maxDelayMs: 25 };

/** Calls afterAcks() and records, in order, when each call is let through. */
function recorder() {
  const afterAcks = createAckFirstGate(OPTIONS);
  const released: string[] = [];
  const wait = (name: string) => void afterAcks().then(() => released.push(name));
  return { wait, released };
}

/** Runs the immediates the gate chains, one click per turn (nothing else is pending then). */
async function runTurns(): Promise<void> {
  for (let turn = 0; turn < 30; turn += 1) await vi.runOnlyPendingTimersAsync();
}

describe('ack-first gate', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets a lone click through once no other click arrived for quietMs', async () => {
    const { wait, released } = recorder();
    wait('a');
    await vi.advanceTimersByTimeAsync(1);
    expect(released).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(released).toEqual(['a']);
  });

  it('holds a burst until it stops, then lets it through in arrival order', async () => {
    const { wait, released } = recorder();
    for (const name of ['a', 'b', 'c', 'd']) {
      wait(name);
      await vi.advanceTimersByTimeAsync(1);
    }
    expect(released).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await runTurns();
    expect(released).toEqual(['a', 'b', 'c', 'd']);
  });

  it('never holds a click longer than maxDelayMs under a steady stream', async () => {
    const { wait, released } = recorder();
    wait('first');
    for (let t = 1; t < 25; t += 1) {
      await vi.advanceTimersByTimeAsync(1);
      wait(`at ${t}`);
    }
    expect(released).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await runTurns();
    expect(released[0]).toBe('first');
    expect(released).toHaveLength(25);
  });

  it('lets one click through per turn of the event loop, so requests are read between them', async () => {
    const { wait, released } = recorder();
    wait('a');
    wait('b');
    wait('c');
    await vi.advanceTimersByTimeAsync(2);
    // The timer let 'a' through; 'b' and 'c' each wait for an immediate of their own.
    const seen: string[][] = [];
    for (let turn = 0; turn < 3; turn += 1) {
      seen.push([...released]);
      vi.runOnlyPendingTimers();
      await Promise.resolve();
    }
    expect(seen).toEqual([['a'], ['a', 'b'], ['a', 'b', 'c']]);
  });

  it('starts a new burst afresh after releasing the last one', async () => {
    const { wait, released } = recorder();
    wait('a');
    await vi.advanceTimersByTimeAsync(30);
    wait('b');
    await vi.advanceTimersByTimeAsync(1);
    expect(released).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(1);
    expect(released).toEqual(['a', 'b']);
  });
});

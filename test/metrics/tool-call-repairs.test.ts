// The tool-call reconciler sends a call again, and counts it as repaired, only when Redis had
// lost it (its timeout job gone while the run still waits for the answer): never a call still
// queued or under way, nor one answered while the pass was looking. Real Redis and the real dispatcher; the run comes from the engine.
import { randomBytes } from 'node:crypto';

import { afterAll, describe, expect, it } from 'vitest';

import { startRun, type Run } from '../../src/engine/index.js';
import { resultSeal } from '../../src/jobs/result-seal.js';
import { createToolDispatcher } from '../../src/jobs/tool-dispatcher.js';
import { createToolReconciler } from '../../src/jobs/tool-reconciler.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { compileSnapshot } from '../support/snapshots.js';
import { deleteKeysUnder, useTestRedis } from '../support/redis.js';
import { parseExposition, valueOf } from './support/exposition.js';

const redis = useTestRedis();

function runWaitingForATool(): Run {
  const runbook = compileSnapshot({ name: 'Look around', audience: 'agentic', steps: [{ label: 'Look', type: 'diagnose', tool: 'analyze_metrics' }] });
  const started = startRun({ id: 'run_repairs1', runbook, variables: {}, device: 'dev-repairs', started_by: { kind: 'cli', id: 'tester' } }, { now: Date.now(), ids: () => `rrs_${randomBytes(4).toString('hex')}` });
  if (!started.ok) throw new Error(started.error.message);
  return started.run;
}

describe('the tool-call reconciler', () => {
  const dispatcher = createToolDispatcher({ connection: redis.redis(), prefix: redis.prefix(), seal: resultSeal(randomBytes(32)) });
  afterAll(() => dispatcher.close());

  it('counts the calls it put back after Redis lost them, and not those still queued', async () => {
    const metrics = createMetrics();
    const run = runWaitingForATool();
    let stored = run;
    const reconciler = createToolReconciler({ runs: { toolCallsOut: async () => [run], load: async () => stored }, dispatcher, metrics });
    const restored = async () => valueOf(parseExposition(await metrics.registry.metrics()), 'runbook_bot_reconciler_repairs_total', { reconciler: 'tool_calls', action: 'restored' });

    // Never sent (the bot stopped between saving the run and sending): put back.
    expect(await reconciler.reconcile()).toEqual({ checked: 1, resent: 1, restored: 1 });
    // Still queued: left alone.
    expect(await reconciler.reconcile()).toEqual({ checked: 1, resent: 0, restored: 0 });
    expect(await restored()).toBe(1);

    await deleteKeysUnder(redis.redis(), redis.prefix());
    expect(await reconciler.reconcile()).toEqual({ checked: 1, resent: 1, restored: 1 });
    expect(await restored()).toBe(2);

    // Answered and applied (its timeout cleared) after the pass listed the run: not sent again.
    await deleteKeysUnder(redis.redis(), redis.prefix());
    stored = { ...run, status: 'completed' };
    expect(await reconciler.reconcile()).toEqual({ checked: 1, resent: 0, restored: 0 });
    expect(await restored()).toBe(2);
  });
});

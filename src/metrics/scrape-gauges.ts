// Gauges read when Prometheus scrapes, not kept up to date between scrapes: runs by status
// (one aggregate over the runs collection) and queue depths and ages (a few Redis reads per
// queue). Both reads are shared for `cacheMs`; a failed read leaves its gauges out of that
// scrape and counts a scrape error (shown from the next scrape: the counter is written while
// the gauges still read), so the rest of /metrics still answers.
import { Gauge } from 'prom-client';

import { RUN_STATUSES, type RunStatus } from '../engine/index.js';
import { cachedRead } from './cached-read.js';
import { METRIC_PREFIX, type Metrics } from './metrics.js';
import { QUEUE_STATES, type QueueDepth } from './queue-probe.js';

export interface ScrapeSources {
  /** How many runs are in each status now; a status left out has none. */
  runCounts(): Promise<Partial<Record<RunStatus, number>>>;
  queueDepths(): Promise<QueueDepth[]>;
  /** How long one read serves later scrapes (default 5 s). */
  cacheMs?: number;
}

export function registerScrapeGauges(metrics: Metrics, sources: ScrapeSources): void {
  const cacheMs = sources.cacheMs ?? 5_000;
  const runCounts = cachedRead(sources.runCounts, cacheMs);
  const queueDepths = cachedRead(sources.queueDepths, cacheMs);
  const registers = [metrics.registry];

  new Gauge({
    name: `${METRIC_PREFIX}runs`,
    help: 'Runs by status, as stored',
    labelNames: ['status'] as const,
    registers,
    async collect() {
      this.reset();
      const counts = await runCounts().catch(() => {
        metrics.scrapeError('runs');
        return null;
      });
      if (counts === null) return;
      for (const status of RUN_STATUSES) this.set({ status }, counts[status] ?? 0);
    },
  });

  // Both queue gauges come from one read; each collect asks the shared one.
  new Gauge({
    name: `${METRIC_PREFIX}queue_jobs`,
    help: 'Jobs in a BullMQ queue by state (waiting, delayed, active)',
    labelNames: ['queue', 'state'] as const,
    registers,
    async collect() {
      this.reset();
      const depths = await queueDepths().catch(() => {
        metrics.scrapeError('queues');
        return [];
      });
      for (const d of depths) for (const state of QUEUE_STATES) this.set({ queue: d.queue, state }, d.jobs[state]);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}queue_oldest_waiting_seconds`,
    help: 'Age of the oldest job ready in a BullMQ queue and not yet taken by a worker (0: none waiting)',
    labelNames: ['queue'] as const,
    registers,
    async collect() {
      this.reset();
      // The jobs gauge above counted a failure of this same read.
      const depths = await queueDepths().catch(() => []);
      for (const d of depths) this.set({ queue: d.queue }, d.oldestWaitingSeconds);
    },
  });
}

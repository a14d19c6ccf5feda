// Queue depths and ages read from BullMQ at scrape time: the queues this app owns (waits,
// tool results, runner events) and each enrolled device's tool-call queue. Its own Queue
// objects on the app's queue connection, so reading never touches a worker's connection.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

import { RUNNER_EVENTS_QUEUE } from '../jobs/runner-events.js';
import { TOOL_RESULTS_QUEUE, toolQueueName } from '../jobs/tool-queue.js';
import { WAIT_QUEUE_NAME } from '../jobs/wait-queue.js';

export const QUEUE_STATES = ['waiting', 'delayed', 'active'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

export interface QueueDepth {
  queue: string;
  jobs: Record<QueueState, number>;
  /** Seconds the oldest waiting job has been ready and not taken; 0 when none waits. */
  oldestWaitingSeconds: number;
}

export interface QueueProbe {
  depths(): Promise<QueueDepth[]>;
  close(): Promise<void>;
}

export interface QueueProbeOptions {
  connection: Redis;
  prefix?: string;
  /** Devices whose tool-call queues are read; a device's queue is named after its id. */
  deviceIds: () => Promise<string[]>;
  clock?: () => number;
}

export function createQueueProbe(opts: QueueProbeOptions): QueueProbe {
  const clock = opts.clock ?? Date.now;
  const queues = new Map<string, Queue>();
  const queueOf = (name: string): Queue => {
    let queue = queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: opts.connection, ...(opts.prefix ? { prefix: opts.prefix } : {}) });
      queues.set(name, queue);
    }
    return queue;
  };

  async function depth(name: string): Promise<QueueDepth> {
    const queue = queueOf(name);
    const [counts, [oldest]] = await Promise.all([queue.getJobCounts(...QUEUE_STATES), queue.getJobs(['waiting'], 0, 0, true)]);
    // A delayed job becomes ready at timestamp + delay: its age counts from then.
    const readyAt = oldest ? oldest.timestamp + (oldest.delay ?? 0) : null;
    return {
      queue: name,
      jobs: { waiting: counts.waiting ?? 0, delayed: counts.delayed ?? 0, active: counts.active ?? 0 },
      oldestWaitingSeconds: readyAt === null ? 0 : Math.max(0, (clock() - readyAt) / 1000),
    };
  }

  return {
    async depths() {
      const devices = (await opts.deviceIds()).map(toolQueueName);
      return Promise.all([WAIT_QUEUE_NAME, TOOL_RESULTS_QUEUE, RUNNER_EVENTS_QUEUE, ...devices].map(depth));
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}

// The bot's side of a tool call: the call goes on its device's queue, and a delayed
// "did not answer" result goes on the results queue. Whichever result the bot reads first
// applies (both carry the call's idempotency key); the other changes nothing.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

import type { Effect, Run } from '../engine/index.js';
import { DEVICE_ID_PATTERN } from '../models/device-model.js';
import type { ResultSeal } from './result-seal.js';
import {
  CALL_JOB_OPTIONS,
  DEFAULT_TOOL_TIMEOUT_SECONDS,
  RESULT_JOB_OPTIONS,
  TOOL_RESULTS_QUEUE,
  resultJobId,
  timeoutJobId,
  toolCallId,
  toolQueueName,
  type ToolCallJob,
  type ToolResultJob,
} from './tool-queue.js';

export interface ToolDispatcherOptions {
  connection: Redis;
  prefix?: string;
  /** Seals the results the bot queues itself, so the result worker can tell them from forgeries. */
  seal: Pick<ResultSeal, 'seal'>;
  clock?: () => number;
}

export type ToolDispatcher = ReturnType<typeof createToolDispatcher>;

export type RunToolEffect = Extract<Effect, { type: 'runTool' }>;

export function createToolDispatcher(opts: ToolDispatcherOptions) {
  const clock = opts.clock ?? Date.now;
  const queueOptions = { connection: opts.connection, ...(opts.prefix ? { prefix: opts.prefix } : {}) };
  const results = new Queue<ToolResultJob>(TOOL_RESULTS_QUEUE, queueOptions);
  // One queue object per device seen; they share the connection, so they are cheap to keep.
  const deviceQueues = new Map<string, Queue<ToolCallJob>>();
  const deviceQueue = (deviceId: string): Queue<ToolCallJob> => {
    let queue = deviceQueues.get(deviceId);
    if (!queue) {
      queue = new Queue<ToolCallJob>(toolQueueName(deviceId), queueOptions);
      deviceQueues.set(deviceId, queue);
    }
    return queue;
  };

  async function fail(call: Omit<ToolResultJob, 'source' | 'ok' | 'output' | 'error'>, error: string): Promise<void> {
    const unsealed = { ...call, source: 'dispatch' as const, ok: false, output: null, error };
    const job: ToolResultJob = { ...unsealed, signature: opts.seal.seal(unsealed) };
    await results.add('result', job, { ...RESULT_JOB_OPTIONS, jobId: resultJobId(call.callId) });
  }

  return {
    /** Sends a runTool effect to the run's device. Safe to repeat. */
    async dispatch(effect: RunToolEffect, run: Pick<Run, 'device_id'>): Promise<string> {
      const callId = toolCallId(effect.run_id, effect.step_id, effect.visit, effect.try);
      const deviceId = run.device_id ?? '';
      const pointer = { callId, runId: effect.run_id, stepId: effect.step_id, visit: effect.visit, try: effect.try, deviceId };
      if (!DEVICE_ID_PATTERN.test(deviceId)) {
        await fail(pointer, deviceId === '' ? 'the run names no device' : `"${deviceId}" is not a device id`);
        return callId;
      }
      const timeoutSeconds = effect.timeout_seconds ?? DEFAULT_TOOL_TIMEOUT_SECONDS;
      const deadline = clock() + timeoutSeconds * 1000;
      const call: ToolCallJob = { ...pointer, stepType: effect.step_type, tool: effect.tool, input: effect.input, deadline };
      // The timeout first: if the bot stops between the two adds, the step still ends.
      const unsealed = { ...pointer, source: 'timeout' as const, ok: false, output: null, error: `device ${deviceId} did not answer in ${timeoutSeconds} s` };
      const timeout: ToolResultJob = { ...unsealed, signature: opts.seal.seal(unsealed) };
      await results.add('timeout', timeout, { ...RESULT_JOB_OPTIONS, jobId: timeoutJobId(callId), delay: timeoutSeconds * 1000 });
      await deviceQueue(deviceId).add(effect.tool, call, { ...CALL_JOB_OPTIONS, jobId: callId });
      return callId;
    },

    /**
     * Whether Redis still holds the call's timeout (it lives until the call is answered):
     * when it is gone while the run still waits, Redis lost the call.
     */
    async has(effect: RunToolEffect): Promise<boolean> {
      const callId = toolCallId(effect.run_id, effect.step_id, effect.visit, effect.try);
      return (await opts.connection.exists(results.toKey(timeoutJobId(callId)))) === 1;
    },

    /** The answer came: its timeout is moot. */
    async clearTimeout(callId: string): Promise<void> {
      await results.remove(timeoutJobId(callId));
    },

    async close(): Promise<void> {
      await Promise.all([results.close(), ...[...deviceQueues.values()].map((q) => q.close())]);
    },
  };
}

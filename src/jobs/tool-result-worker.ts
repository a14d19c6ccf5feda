// Applies tool results from the results queue as the engine's `tool_result`, keyed by the
// call id: the runner's answer and the call's timeout share the key, so only the first to
// arrive changes the run, and a redelivered result changes nothing.
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';

import type { JsonObject } from '../engine/types.js';
import type { DeviceCredentialStore } from '../models/device-credential-store.js';
import type { RunStore } from '../models/run-store.js';
import { verifyResult } from '../runner/device-credential.js';
import type { ResultSeal } from './result-seal.js';
import { isAppError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { createLru } from '../lru.js';
import { limitOutput } from '../runner/output-limit.js';
import type { RunService } from '../services/run-service.js';
import { jobRunId } from './job-run-id.js';
import type { ToolDispatcher } from './tool-dispatcher.js';
import { TOOL_RESULTS_QUEUE, ToolResultJob } from './tool-queue.js';

/** What a run keeps of one tool output, whatever a runner sent. */
export const STORED_OUTPUT_CHARS = 16_000;

export type ToolResultOutcome = 'applied' | 'duplicate' | 'stale' | 'refused';

export interface ToolResultWorkerOptions {
  /** A connection made with `createRedis(url, { forWorker: true })`. */
  connection: Redis;
  prefix?: string;
  service: Pick<RunService, 'apply'>;
  /** The device a run's calls go to (RunStore.deviceOf). */
  runs: Pick<RunStore, 'deviceOf'>;
  credentials: Pick<DeviceCredentialStore, 'publicKey'>;
  seal: Pick<ResultSeal, 'check'>;
  dispatcher: Pick<ToolDispatcher, 'clearTimeout'>;
  concurrency?: number;
  logger?: Logger;
}

export const toolResultKey = (callId: string): string => `tool-${callId}`;

export async function applyToolResult(service: Pick<RunService, 'apply'>, data: ToolResultJob): Promise<ToolResultOutcome> {
  const output = data.output !== null && typeof data.output === 'object' && !Array.isArray(data.output)
    ? limitOutput(data.output as JsonObject, STORED_OUTPUT_CHARS)
    : data.output;
  try {
    const { duplicate } = await service.apply(data.runId, {
      type: 'tool_result',
      actor: { kind: 'system', id: data.source === 'runner' ? `runner:${data.deviceId}` : `tool-${data.source}` },
      source: 'worker',
      step_id: data.stepId,
      visit: data.visit,
      try: data.try,
      ok: data.ok,
      output,
      ...(data.error !== null ? { error: data.error } : {}),
      key: toolResultKey(data.callId),
    });
    return duplicate ? 'duplicate' : 'applied';
  } catch (error) {
    // The run moved on (cancelled, skipped, timed out) or is gone: the result no longer matters.
    if (isAppError(error) && (error.code === 'conflict' || error.code === 'not_found')) return 'stale';
    throw error;
  }
}

/**
 * Why a result must not be applied, or null when it may: a runner's must come from the
 * device the run's calls go to, signed with that device's enrolled credential (the device is
 * the run's, not what the result says about itself); the bot's own (a timeout, a call it
 * could not send) must carry its seal.
 */
export async function refusalOfResult(
  data: ToolResultJob,
  deps: { runs: Pick<RunStore, 'deviceOf'>; credentials: Pick<DeviceCredentialStore, 'publicKey'>; seal: Pick<ResultSeal, 'check'> },
): Promise<string | null> {
  if (data.source !== 'runner') {
    const { signature, ...sealed } = data;
    return signature !== undefined && deps.seal.check(sealed, signature) ? null : `a ${data.source} result without the bot's seal`;
  }
  const device = await deps.runs.deviceOf(data.runId);
  if (device === undefined) return null; // gone: applying it answers stale
  if (device === null || data.deviceId !== device) return `it says it comes from device ${data.deviceId}, but run ${data.runId} calls ${device ?? 'no device'}`;
  if (data.signature === undefined) return `it is not signed: the runner of ${device} needs a credential (runbook-bot runner enroll ${device})`;
  const key = await deps.credentials.publicKey(device);
  if (key === null) return `device ${device} is not enrolled (runbook-bot runner enroll ${device})`;
  if (!verifyResult(key, data, data.signature)) return `its signature is not device ${device}'s current credential`;
  return null;
}

/**
 * RunStore.deviceOf, remembered: a run's device is fixed at its start, so every process may
 * keep it (a run document read costs several ms on FerretDB, as much as the rest of a result).
 */
export function cachedDeviceOf(runs: Pick<RunStore, 'deviceOf'>, max = 10_000): Pick<RunStore, 'deviceOf'> {
  const known = createLru<string | null>(max);
  return {
    async deviceOf(id) {
      const hit = known.get(id);
      if (hit !== undefined) return hit;
      const device = await runs.deviceOf(id);
      if (device !== undefined) known.set(id, device);
      return device;
    },
  };
}

export function createToolResultWorker(opts: ToolResultWorkerOptions): Worker<ToolResultJob, ToolResultOutcome> {
  const logger = opts.logger ?? silentLogger;
  const checks = { ...opts, runs: cachedDeviceOf(opts.runs) };
  const worker = new Worker<ToolResultJob, ToolResultOutcome>(
    TOOL_RESULTS_QUEUE,
    async (job: Job<ToolResultJob>) => {
      const data = ToolResultJob.parse(job.data);
      const refused = await refusalOfResult(data, checks);
      if (refused !== null) {
        // Not applied: the call's timeout fails the step if its device never answers itself.
        logger.warn('tool result refused', { run_id: data.runId, call_id: data.callId, device_id: data.deviceId, reason: refused });
        return 'refused';
      }
      const outcome = await applyToolResult(opts.service, data);
      logger.debug('tool result', { run_id: data.runId, call_id: data.callId, source: data.source, ok: data.ok, outcome });
      if (data.source === 'runner') {
        await opts.dispatcher.clearTimeout(data.callId).catch((error: unknown) => logger.warn('could not clear a tool timeout', { run_id: data.runId, call_id: data.callId, error }));
      }
      return outcome;
    },
    { connection: opts.connection, ...(opts.prefix ? { prefix: opts.prefix } : {}), concurrency: opts.concurrency ?? 20 },
  );
  worker.on('failed', (job, error) => logger.warn('tool result job failed', { job_id: job?.id, run_id: jobRunId(job), error }));
  worker.on('error', (error) => logger.error('tool result worker error', { error }));
  return worker;
}

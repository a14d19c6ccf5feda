// The device runner: registers its machine, beats a heartbeat (both as signed events the bot
// applies), and serves the device's queue of tool calls, answering each, signed, on the bot's
// results queue. It needs Redis and its credential, and nothing of the bot's database.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { arch, platform, release } from 'node:os';

import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';

import { RESULT_JOB_OPTIONS, TOOL_RESULTS_QUEUE, ToolCallJob, resultJobId, toolQueueName, type ToolResultJob } from '../jobs/tool-queue.js';
import { silentLogger, type Logger } from '../logger.js';
import { jobRunId } from '../jobs/job-run-id.js';
import { createRunnerEvents } from '../jobs/runner-events.js';
import { AppError, ErrorCode } from '../errors.js';
import { DEFAULT_HEARTBEAT_MS } from '../models/device-store.js';
import type { CallJournal } from './call-journal.js';
import { signResult, type DeviceCredential } from './device-credential.js';
import { hostMachine, type Machine } from './machine.js';
import { runCall } from './run-call.js';
import type { RunnerConfig } from './runner-config.js';
import type { ToolRegistry } from './tool-registry.js';

/** The project's version, as package.json says it: one place to bump. */
export const RUNNER_VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

export interface RunnerOptions {
  /** Names the device, and signs each result so the bot knows it comes from it. */
  credential: DeviceCredential;
  tags: string[];
  config: RunnerConfig;
  registry: ToolRegistry;
  /** What the tools act on; default this host. */
  machine?: Machine;
  /** What this device started and finished, on its own disk. */
  journal: CallJournal;
  /** For the results queue. */
  connection: Redis;
  /** For the worker: made with `createRedis(url, { forWorker: true })`. */
  workerConnection: Redis;
  prefix?: string;
  heartbeatMs?: number;
  /** Tool calls run at once. */
  concurrency?: number;
  /** How soon a call whose runner died is handed out again (BullMQ's stalled check). */
  stalledCheckMs?: number;
  /** How long to wait for the bot to take the registration before serving anyway. */
  registerWaitMs?: number;
  clock?: () => number;
  logger?: Logger;
}

export interface Runner {
  deviceId: string;
  stop(): Promise<void>;
}

export async function startRunner(opts: RunnerOptions): Promise<Runner> {
  const logger = opts.logger ?? silentLogger;
  const clock = opts.clock ?? Date.now;
  const machine = opts.machine ?? hostMachine;
  const session = randomUUID();
  const { deviceId } = opts.credential;
  const stopping = new AbortController();
  const prefix = opts.prefix ? { prefix: opts.prefix } : {};
  const events = createRunnerEvents({ connection: opts.connection, ...prefix, credential: opts.credential, clock });
  const tools = opts.registry.names();
  const registered = await events.register(
    session,
    { hostname: machine.hostname, os: { platform: platform(), release: release(), arch: arch() }, tags: opts.tags, tools, runner_version: RUNNER_VERSION, pid: process.pid },
    opts.registerWaitMs ?? 15_000,
  );
  if (registered?.outcome === 'refused') {
    await events.close();
    throw new AppError(ErrorCode.Forbidden, `the bot refused to register device ${deviceId}: ${registered.reason}`);
  }
  if (registered === null) logger.warn('no bot has taken the registration yet; serving calls, and it applies once a bot is up', { device_id: deviceId });

  const heartbeat = setInterval(() => {
    events.heartbeat(session).catch((error: unknown) => logger.warn('heartbeat failed', { error }));
  }, opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);

  const results = new Queue<ToolResultJob>(TOOL_RESULTS_QUEUE, { connection: opts.connection, ...prefix });
  const stalledCheckMs = opts.stalledCheckMs ?? 30_000;
  const worker = new Worker<ToolCallJob>(
    toolQueueName(deviceId),
    async (job: Job<ToolCallJob>) => {
      const call = ToolCallJob.parse(job.data);
      const result = await runCall(call, { registry: opts.registry, calls: opts.journal, config: opts.config, machine, clock, stopping: stopping.signal });
      if (result === null) {
        logger.warn('tool call arrived after its deadline; not run', { run_id: call.runId, call_id: call.callId, tool: call.tool });
        return;
      }
      const { callId, runId, stepId, visit } = call;
      const answer = { callId, runId, stepId, visit, try: call.try, deviceId, ...result };
      const signature = signResult(opts.credential, answer);
      await results.add('result', { ...answer, source: 'runner', signature }, { ...RESULT_JOB_OPTIONS, jobId: resultJobId(callId) });
      logger.info('tool call answered', { run_id: runId, call_id: callId, tool: call.tool, ok: result.ok });
    },
    {
      connection: opts.workerConnection,
      ...prefix,
      concurrency: opts.concurrency ?? 4,
      lockDuration: stalledCheckMs,
      stalledInterval: stalledCheckMs,
    },
  );
  worker.on('failed', (job, error) => logger.error('tool call job failed', { job_id: job?.id, run_id: jobRunId(job), error }));
  worker.on('error', (error) => logger.error('runner worker error', { error }));
  logger.info('runner started', { device_id: deviceId, tools, tags: opts.tags });

  let stopped: Promise<void> | null = null;
  return {
    deviceId,
    stop() {
      stopped ??= (async () => {
        clearInterval(heartbeat);
        // Let calls under way finish (they are aborted only if the close takes too long).
        const closing = worker.close();
        const forceAfter = setTimeout(() => stopping.abort(), 10_000);
        await closing;
        clearTimeout(forceAfter);
        await results.close();
        await events.stopped(session, 5_000).catch((error: unknown) => logger.warn('could not say the device stopped', { error }));
        await events.close();
        logger.info('runner stopped', { device_id: deviceId });
      })();
      return stopped;
    },
  };
}

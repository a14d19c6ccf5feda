// A runner's life as the bot learns it without the runner touching the database: it
// registers, beats and stops by adding signed jobs to the runner events queue, and the bot
// applies each one to the device store once the device's credential vouches for it. Events
// older than a few minutes are refused, so a copied heartbeat cannot keep a dead device
// online for long.
import { Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';

import { silentLogger, type Logger } from '../logger.js';
import type { DeviceCredentialStore } from '../models/device-credential-store.js';
import { DeviceId } from '../models/device-model.js';
import type { DeviceStore } from '../models/device-store.js';
import { signValue, verifyValue, type DeviceCredential } from '../runner/device-credential.js';

export const RUNNER_EVENTS_QUEUE = 'runbook-runner-events';
/** How far an event's time may be from the bot's clock, either way (clock skew included). */
export const EVENT_MAX_AGE_MS = 5 * 60_000;

const Registration = z.object({
  hostname: z.string().max(255),
  os: z.object({ platform: z.string().max(64), release: z.string().max(128), arch: z.string().max(64) }),
  tags: z.array(z.string().max(64)).max(50),
  tools: z.array(z.string().max(128)).max(200),
  runner_version: z.string().max(64),
  pid: z.number().int(),
});

export const RunnerEvent = z.object({
  kind: z.enum(['register', 'heartbeat', 'stopped']),
  deviceId: DeviceId,
  session: z.string().max(64),
  at: z.number().int(),
  registration: Registration.optional(),
  signature: z.string().max(200),
});
export type RunnerEvent = z.infer<typeof RunnerEvent>;
type Unsigned = Omit<RunnerEvent, 'signature'>;

export type RunnerEventOutcome = { outcome: 'applied' } | { outcome: 'refused'; reason: string };

const JOB_OPTIONS = { removeOnComplete: { age: 3600, count: 1000 }, removeOnFail: { age: 24 * 3600 } } as const;

/** The runner's side: each event signed with the device credential. */
export function createRunnerEvents(opts: { connection: Redis; prefix?: string; credential: DeviceCredential; clock?: () => number }) {
  const clock = opts.clock ?? Date.now;
  const queue = new Queue(RUNNER_EVENTS_QUEUE, { connection: opts.connection, ...(opts.prefix ? { prefix: opts.prefix } : {}) });
  const { deviceId } = opts.credential;

  const send = (event: Omit<Unsigned, 'deviceId' | 'at'>) => {
    const unsigned: Unsigned = { ...event, deviceId, at: clock() };
    return queue.add(event.kind, { ...unsigned, signature: signValue(opts.credential, unsigned) }, JOB_OPTIONS);
  };

  /** The bot's answer to a job: null when none came within `waitMs` (the bot is down; the event stays queued). */
  async function answer(id: string | undefined, waitMs: number): Promise<RunnerEventOutcome | null> {
    const done = await finishedJob<RunnerEventOutcome>(queue, id ?? '', waitMs);
    return done ? (done.returnvalue ?? { outcome: 'refused', reason: done.failedReason ?? 'failed' }) : null;
  }

  return {
    /** Registers, and says what the bot answered within `waitMs`. */
    async register(session: string, registration: z.input<typeof Registration>, waitMs: number): Promise<RunnerEventOutcome | null> {
      return answer((await send({ kind: 'register', session, registration })).id, waitMs);
    },
    heartbeat: (session: string) => send({ kind: 'heartbeat', session }),
    /** Says the device stopped, waiting up to `waitMs` for the bot to show it offline. */
    async stopped(session: string, waitMs: number): Promise<RunnerEventOutcome | null> {
      return answer((await send({ kind: 'stopped', session })).id, waitMs);
    },
    close: () => queue.close(),
  };
}

export type RunnerEvents = ReturnType<typeof createRunnerEvents>;

/** The bot's side: why an event must not be applied, or null when its device vouches for it. */
export async function refusalOfEvent(event: RunnerEvent, deps: { credentials: Pick<DeviceCredentialStore, 'publicKey'>; now: number }): Promise<string | null> {
  const key = await deps.credentials.publicKey(event.deviceId);
  if (key === null) return `device ${event.deviceId} is not enrolled (runbook-bot runner enroll ${event.deviceId})`;
  const { signature, ...unsigned } = event;
  if (!verifyValue(key, unsigned, signature)) return `its signature is not device ${event.deviceId}'s current credential`;
  if (Math.abs(deps.now - event.at) > EVENT_MAX_AGE_MS) return `it is from ${new Date(event.at).toISOString()}, more than ${EVENT_MAX_AGE_MS / 60_000} minutes from now`;
  if (event.kind === 'register' && !event.registration) return 'a registration without the device’s details';
  return null;
}

export function createRunnerEventWorker(opts: {
  connection: Redis;
  prefix?: string;
  devices: Pick<DeviceStore, 'register' | 'heartbeat' | 'markStopped'>;
  credentials: Pick<DeviceCredentialStore, 'publicKey'>;
  clock?: () => number;
  logger?: Logger;
}): Worker<RunnerEvent, RunnerEventOutcome> {
  const logger = opts.logger ?? silentLogger;
  const clock = opts.clock ?? Date.now;
  const worker = new Worker<RunnerEvent, RunnerEventOutcome>(
    RUNNER_EVENTS_QUEUE,
    async (job) => {
      const parsed = RunnerEvent.safeParse(job.data);
      if (!parsed.success) return { outcome: 'refused', reason: `not a runner event: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
      const event = parsed.data;
      const reason = await refusalOfEvent(event, { credentials: opts.credentials, now: clock() });
      if (reason !== null) {
        logger.warn('runner event refused', { device_id: event.deviceId, kind: event.kind, reason });
        return { outcome: 'refused', reason };
      }
      if (event.kind === 'register') await opts.devices.register({ id: event.deviceId, session: event.session, ...event.registration! });
      else if (event.kind === 'stopped') await opts.devices.markStopped(event.deviceId, event.session);
      else if (!(await opts.devices.heartbeat(event.deviceId, event.session))) {
        logger.warn('a heartbeat from a runner another runner of the device replaced: both now take its calls', { device_id: event.deviceId });
      }
      return { outcome: 'applied' };
    },
    { connection: opts.connection, ...(opts.prefix ? { prefix: opts.prefix } : {}), concurrency: 20 },
  );
  worker.on('failed', (job, error) => logger.warn('runner event failed', { job_id: job?.id, error }));
  worker.on('error', (error) => logger.error('runner event worker error', { error }));
  return worker;
}

/** The job once it finished (its finishedOn and returnvalue come in one read), or null after `waitMs`. */
export async function finishedJob<R>(queue: Queue, id: string, waitMs: number): Promise<Job<unknown, R> | null> {
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const job = await Job.fromId<unknown, R>(queue, id);
    if (job?.finishedOn) return job;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return null;
}

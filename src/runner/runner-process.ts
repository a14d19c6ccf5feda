// `runbook-bot runner`: the runner as a process. Reads the environment (Redis and the queue
// prefix, as the bot does, and the device credential) and the runner's own config file,
// serves until SIGTERM or SIGINT, then stops cleanly so the device shows offline at once.
// It opens no database: everything it tells the bot goes through the queues, signed.
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

import { loadConfig } from '../config/env.js';
import { ConfigError } from '../errors.js';
import { createRedis, pingRedis } from '../jobs/redis.js';
import { createLogger, type Logger } from '../logger.js';
import { DeviceId } from '../models/device-model.js';
import { createCallJournal, type CallJournal } from './call-journal.js';
import { parseDeviceCredential, type DeviceCredential } from './device-credential.js';
import { startRunner } from './runner.js';
import { loadRunnerConfig } from './runner-config.js';
import { createToolRegistry } from './tool-registry.js';

export interface RunnerProcessArgs {
  deviceId?: string;
  tags?: string[];
  configPath?: string;
}

/** The device credential from RUNNER_CREDENTIAL: a secret, so only ever from the environment. */
function credentialFrom(env: NodeJS.ProcessEnv): DeviceCredential {
  const text = env.RUNNER_CREDENTIAL;
  if (text === undefined || text.trim() === '') {
    throw new ConfigError(['RUNNER_CREDENTIAL: not set; make the device a credential with `runbook-bot runner enroll DEVICE_ID` and give it to this runner']);
  }
  try {
    return parseDeviceCredential(text);
  } catch (error) {
    throw new ConfigError([(error as Error).message]);
  }
}

/** Resolves once the runner has stopped after `stop` settled. */
export async function serveRunner(args: RunnerProcessArgs, env: NodeJS.ProcessEnv, stop: Promise<unknown>): Promise<void> {
  const config = loadConfig(env);
  const runnerConfig = await loadRunnerConfig(args.configPath);
  const named = args.deviceId ?? runnerConfig.device_id;
  const checked = named === undefined ? null : DeviceId.safeParse(named);
  if (checked && !checked.success) throw new ConfigError([`device_id: "${named}" ${checked.error.issues[0]?.message ?? 'is not a device id'}`]);
  const credential = credentialFrom(env);
  const deviceId = named ?? credential.deviceId;
  if (deviceId !== credential.deviceId) {
    throw new ConfigError([`RUNNER_CREDENTIAL is device ${credential.deviceId}'s, but this runner is ${deviceId}: enroll ${deviceId} with \`runbook-bot runner enroll ${deviceId}\``]);
  }
  const logger = createLogger(config.logLevel);
  const registry = await createToolRegistry(runnerConfig);
  await pingRedis(config.redisUrl);
  const journal = await openJournal(join(runnerConfig.state_dir ?? join(homedir(), '.local', 'state', 'runbook-bot'), deviceId), logger);
  const connection = createRedis(config.redisUrl);
  const workerConnection = createRedis(config.redisUrl, { forWorker: true });
  try {
    const runner = await startRunner({
      credential,
      tags: args.tags ?? runnerConfig.tags ?? [],
      config: runnerConfig,
      registry,
      journal,
      connection,
      workerConnection,
      ...(config.queuePrefix ? { prefix: config.queuePrefix } : {}),
      heartbeatMs: config.deviceHeartbeatMs,
      stalledCheckMs: config.runnerStalledCheckMs,
      logger,
    });
    await stop;
    await runner.stop();
  } finally {
    connection.disconnect();
    workerConnection.disconnect();
  }
}

/** Calls this device started are remembered for a week: long after any run could still ask. */
const JOURNAL_DAYS = 7;

async function openJournal(dir: string, logger: Logger): Promise<CallJournal> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new ConfigError([`state_dir: cannot create ${dir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`]);
  }
  const journal = createCallJournal(dir);
  const pruned = await journal.prune(JOURNAL_DAYS * 24 * 3600_000);
  if (pruned > 0) logger.info('call journal pruned', { removed: pruned, older_than_days: JOURNAL_DAYS });
  return journal;
}

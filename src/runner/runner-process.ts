// `runbook-bot runner`: the runner as a process. Reads the environment (MongoDB, Redis,
// queue prefix, as the bot does) and the runner's own config file, serves until SIGTERM or
// SIGINT, then stops cleanly so the device shows offline at once.
import { loadConfig } from '../config/env.js';
import { ConfigError } from '../errors.js';
import { createRedis, pingRedis } from '../jobs/redis.js';
import { createLogger } from '../logger.js';
import { DeviceId } from '../models/device-model.js';
import { createDeviceStore } from '../models/device-store.js';
import { openDatabase } from '../models/open-database.js';
import { createToolCallStore } from '../models/tool-call-store.js';
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
  const db = await openDatabase(config, { logger });
  const connection = createRedis(config.redisUrl);
  const workerConnection = createRedis(config.redisUrl, { forWorker: true });
  try {
    const runner = await startRunner({
      credential,
      tags: args.tags ?? runnerConfig.tags ?? [],
      config: runnerConfig,
      registry,
      devices: createDeviceStore(db.conn, { heartbeatMs: config.deviceHeartbeatMs }),
      calls: createToolCallStore(db.conn),
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
    await db.close();
  }
}

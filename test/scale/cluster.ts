// Several bot instances and device runners as real processes on one database and one Redis
// (one QUEUE_PREFIX), serving one Slack app (the fake Slack here) and one API: what the scale
// test and `npm run bench -- scale` drive. Everything listens on loopback; stop() ends every
// process it started, by pid, even when starting failed half way.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type mongoose from 'mongoose';

import type { RunbookSnapshot } from '../../src/engine/index.js';
import { parseDefinition } from '../../src/engine/definition/index.js';
import { createApiKeyStore } from '../../src/models/api-key-store.js';
import { connectMongo } from '../../src/models/connection.js';
import { createDeviceCredentialStore } from '../../src/models/device-credential-store.js';
import { createRunbookStore } from '../../src/models/runbook-store.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { killQuietly, startRunnerProcess, type RunnerProcess } from '../support/runner-process.js';
import { startServiceProcess, type ServiceProcess } from '../support/service-process.js';
import { RUNBOOKS, type RunbookKind } from './runbooks.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const PROBE_TOOL = join(HERE, 'probe-tool.mjs');
export const SIGNING_SECRET = 'scale-signing-secret';
export const API_KEY_NAME = 'scale';
/** The bot token instance `i` (0-based) calls Slack with. */
export const instanceToken = (i: number) => `xoxb-scale-i${i + 1}`;
/** Which instance (1-based) made a Slack call, from its token. */
export const instanceOfToken = (token: string | undefined) => /-i(\d+)$/.exec(token ?? '')?.[1] ?? '?';

export interface ClusterOptions {
  /** The server's URI naming the database every process uses. */
  mongodbUri: string;
  redisUrl: string;
  /** QUEUE_PREFIX, shared by every instance and runner. */
  prefix: string;
  instances: number;
  devices: string[];
  /** Extra environment for the bot instances (RECONCILE_INTERVAL_MS, …). */
  env?: Record<string, string>;
  log?: (line: string) => void;
}

export interface Device {
  id: string;
  runner: RunnerProcess;
  /** The probe tool's log on this device: one line per execution. */
  probeLog: string;
}

export interface Cluster {
  fake: FakeSlack;
  instances: ServiceProcess[];
  devices: Device[];
  /** An API key with the read and run scopes. */
  apiKey: string;
  /** The harness's own connection to the database (reads for the checks). */
  conn: mongoose.Connection;
  snapshots: Record<RunbookKind, RunbookSnapshot>;
  workDir: string;
  /** Stops the runners, then the instances (SIGTERM; SIGKILL after `graceMs`), then the fake Slack. */
  stop(graceMs?: number): Promise<void>;
}

async function publish(conn: mongoose.Connection, definition: unknown): Promise<RunbookSnapshot> {
  const parsed = parseDefinition(definition);
  if (!parsed.ok) throw new Error(`scale runbook does not parse: ${JSON.stringify(parsed.problems)}`);
  const runbooks = createRunbookStore(conn);
  const saved = await runbooks.save({ source: parsed.source, author: { kind: 'cli', id: 'scale' }, publish: true });
  return runbooks.snapshotForRun(saved.runbook.id);
}

async function stopProcess(stop: (signal?: NodeJS.Signals) => Promise<number | null>, pid: number | undefined, graceMs: number): Promise<void> {
  const stopped = stop('SIGTERM');
  const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), graceMs).unref());
  if ((await Promise.race([stopped, timer])) === 'late' && pid !== undefined) killQuietly(pid);
  await stopped;
}

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const log = opts.log ?? (() => {});
  const workDir = await mkdtemp(join(tmpdir(), 'runbook-bot-scale-'));
  const instances: ServiceProcess[] = [];
  const devices: Device[] = [];
  let fake: FakeSlack | undefined;
  let conn: mongoose.Connection | undefined;

  const stop = async (graceMs = 20_000) => {
    await Promise.all(devices.map((d) => stopProcess((s) => d.runner.stop(s), d.runner.child.pid, 10_000)));
    await Promise.all(instances.map((i) => stopProcess((s) => i.stop(s), i.child.pid, graceMs)));
    await fake?.close();
    await conn?.close();
    await rm(workDir, { recursive: true, force: true });
  };

  try {
    conn = await connectMongo(opts.mongodbUri);
    const by = { kind: 'cli' as const, id: 'scale' };
    const apiKey = (await createApiKeyStore(conn).create(API_KEY_NAME, ['read', 'run'], by)).key;
    const credentials = createDeviceCredentialStore(conn);
    const enrolled = await Promise.all(opts.devices.map(async (id) => ({ id, credential: (await credentials.enroll(id, by)).credential })));
    const snapshots = {} as Record<RunbookKind, RunbookSnapshot>;
    for (const kind of Object.keys(RUNBOOKS) as RunbookKind[]) snapshots[kind] = await publish(conn, RUNBOOKS[kind]);
    fake = await startFakeSlack();

    const env = {
      MONGODB_URI: opts.mongodbUri,
      REDIS_URL: opts.redisUrl,
      QUEUE_PREFIX: opts.prefix,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.apiUrl,
      API_RATE_LIMIT: '1000000',
      ...opts.env,
    };
    // One at a time: each loads the whole app through tsx, which takes both cores for a while.
    for (let i = 0; i < opts.instances; i += 1) {
      const t0 = Date.now();
      // Each instance its own token (one app, one workspace): the fake Slack records which one made each call.
      instances.push(await startServiceProcess({ ...env, SLACK_BOT_TOKEN: instanceToken(i) }, 120_000));
      log(`instance ${i + 1} listening on port ${instances[i]!.port} (pid ${instances[i]!.child.pid}, ${Date.now() - t0} ms)`);
    }

    const config = join(workDir, 'runner.yaml');
    await writeFile(config, `custom_tools: [${JSON.stringify(PROBE_TOOL)}]\nstate_dir: ${JSON.stringify(join(workDir, 'state'))}\n`);
    await mkdir(join(workDir, 'probe'), { recursive: true });
    for (const { id, credential } of enrolled) {
      const probeLog = join(workDir, 'probe', `${id}.log`);
      await writeFile(probeLog, '');
      const runner = await startRunnerProcess(['--device-id', id, '--config', config], {
        REDIS_URL: opts.redisUrl,
        QUEUE_PREFIX: opts.prefix,
        RUNNER_CREDENTIAL: credential,
        SCALE_PROBE_LOG: probeLog,
        SCALE_PROBE_DEVICE: id,
      }, 60_000);
      devices.push({ id, runner, probeLog });
      log(`runner for ${id} started (pid ${runner.child.pid})`);
    }
    return { fake, instances, devices, apiKey, conn, snapshots, workDir, stop };
  } catch (error) {
    await stop(5_000).catch(() => undefined);
    throw error;
  }
}

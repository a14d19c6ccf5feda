// The sandbox's demo device: a real runner, serving the device's queue like any other, whose
// machine is a temporary folder. Its disk is filled with old temp files, caches and trash for
// Disk Cleanup; its services (started here, as processes the runner manages) are a web
// server for Service Restart, a cache that leaked memory for Memory Pressure Relief, and a
// broken web release for the rollback example. Everything goes when the sandbox stops.
import { access, mkdir, mkdtemp, realpath, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import type { Connection } from 'mongoose';

import { createRedis } from '../../jobs/redis.js';
import type { Logger } from '../../logger.js';
import { createDeviceCredentialStore, enrollInProcess } from '../../models/device-credential-store.js';
import { createCallJournal } from '../../runner/call-journal.js';
import type { Machine } from '../../runner/machine.js';
import { startRunner } from '../../runner/runner.js';
import { parseRunnerConfig, type RunnerConfig } from '../../runner/runner-config.js';
import { createToolRegistry, type ToolRegistry } from '../../runner/tool-registry.js';
import { signalTree, waitForExit } from '../../runner/tools/process-control.js';
import { runnerServiceStatus, startRunnerService, stopRunnerService } from '../../runner/tools/runner-services.js';
import { createDemoMachine } from './demo-machine.js';

export const DEMO_DEVICE_ID = 'demo-01';
/** What the demo runbooks and the welcome message name. */
export const DEMO_SERVICES = { web: 'web', cache: 'cache', brokenRelease: 'web-v2' } as const;

const MiB = 1024 * 1024;
const DISK_BYTES = 16 * MiB;
const RAM_BYTES = 256 * MiB;
/** The cache's leak: with the two services' own memory, RAM reads about 90% until it restarts. */
const LEAK_MIB = 150;
/** Written by the cache once its leak is resident. */
const LEAK_MARKER = 'var/lib/cache/leaked';
const SCRIPT = fileURLToPath(new URL('./demo-service.mjs', import.meta.url));

/** The disk as found: what Disk Cleanup may free (old), and what it must keep (recent, or not a cache). */
const SEED_FILES: Array<{ path: string; bytes: number; ageDays: number }> = [
  { path: 'tmp/build-1842/bundle.tar', bytes: 3 * MiB, ageDays: 3 },
  { path: 'tmp/build-1842/objects.o', bytes: 1.5 * MiB, ageDays: 3 },
  { path: 'tmp/session.lock', bytes: 4096, ageDays: 0 },
  { path: 'var/tmp/core.web.1234', bytes: 2 * MiB, ageDays: 7 },
  { path: 'var/cache/apt/archives/openssl_3.0.15_amd64.deb', bytes: 2 * MiB, ageDays: 10 },
  { path: 'var/cache/apt/archives/nodejs_20.19.0_amd64.deb', bytes: 2 * MiB, ageDays: 10 },
  { path: 'home/demo/.cache/chromium/Default/Cache/data_1', bytes: 2 * MiB, ageDays: 2 },
  { path: 'home/demo/.local/share/Trash/files/old-report.pdf', bytes: 1 * MiB, ageDays: 30 },
  { path: 'srv/web/index.html', bytes: 64 * 1024, ageDays: 40 },
  { path: 'var/lib/web/sessions.db', bytes: 1 * MiB, ageDays: 0 },
];

export interface DemoDevice {
  id: string;
  /** The folder standing in for the device's disk. */
  root: string;
  /** Kills a service as a crash would (its pid file stays): the sample alert's outage. */
  crash(service: string): Promise<void>;
  stop(): Promise<void>;
}

export interface DemoDeviceDeps {
  conn: Connection;
  redisUrl: string;
  prefix: string;
  heartbeatMs: number;
  stalledCheckMs: number;
  logger: Logger;
}

function demoConfig(root: string): RunnerConfig {
  const service = (name: string, ...args: string[]) => ({
    start: [process.execPath, SCRIPT, name, ...args],
    pid_file: `run/${name}.pid`,
    log_file: `var/log/${name}.log`,
    cwd: '.',
    stop_timeout_seconds: 5,
  });
  return parseRunnerConfig(
    {
      device_id: DEMO_DEVICE_ID,
      tags: ['demo'],
      cleanup: {
        temp: ['tmp', 'var/tmp'],
        package_cache: ['var/cache/apt'],
        browser_cache: ['home/demo/.cache'],
        trash: ['home/demo/.local/share/Trash'],
      },
      services: {
        [DEMO_SERVICES.web]: service(DEMO_SERVICES.web),
        [DEMO_SERVICES.cache]: service(DEMO_SERVICES.cache, '--hold-mb', String(LEAK_MIB), '--marker', join(root, LEAK_MARKER)),
        [DEMO_SERVICES.brokenRelease]: service(DEMO_SERVICES.brokenRelease, '--fail', 'config error: upstream "api" is not defined in /srv/web/v2.conf'),
      },
    },
    root,
  );
}

async function seedDisk(root: string): Promise<void> {
  const now = Date.now();
  for (const f of SEED_FILES) {
    const full = join(root, f.path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, Buffer.alloc(f.bytes, 0x61));
    const when = new Date(now - f.ageDays * 86_400_000);
    await utimes(full, when, when);
  }
  await mkdir(join(root, 'var/lib/cache'), { recursive: true });
}

/** Waits for the cache's leak to be in memory, so the first reading of RAM shows the pressure. */
async function leaked(marker: string): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    if (await access(marker).then(() => true, () => false)) return;
    await sleep(50);
  }
  throw new Error(`the demo cache did not report its memory within 5 s (no ${marker})`);
}

/** The device's machine, made and running: a seeded folder, its services started, its tools. */
export interface DemoMachineParts {
  root: string;
  config: RunnerConfig;
  machine: Machine;
  registry: ToolRegistry;
  crash(service: string): Promise<void>;
  /** Stops its services and removes its folder. */
  remove(): Promise<void>;
}

export async function prepareDemoMachine(): Promise<DemoMachineParts> {
  // realpath: on macOS tmpdir() is itself behind a symlink, and cleanup roots are compared by realpath.
  const root = await realpath(await mkdtemp(join(tmpdir(), 'runbook-bot-demo-')));
  const config = demoConfig(root);
  const remove = async () => {
    for (const [name, svc] of Object.entries(config.services)) await stopRunnerService(name, svc).catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  };
  try {
    await seedDisk(root);
    for (const name of [DEMO_SERVICES.web, DEMO_SERVICES.cache]) await startRunnerService(name, config.services[name]!);
    await leaked(join(root, LEAK_MARKER));
    return {
      root,
      config,
      machine: createDemoMachine({ hostname: DEMO_DEVICE_ID, root, diskBytes: DISK_BYTES, ramBytes: RAM_BYTES, services: config.services }),
      registry: await createToolRegistry(config),
      async crash(name) {
        const svc = config.services[name];
        const pid = svc ? (await runnerServiceStatus(svc)).pid : null;
        if (pid === null) return;
        signalTree(pid, 'SIGKILL');
        await waitForExit(pid, 5_000);
      },
      remove,
    };
  } catch (error) {
    await remove();
    throw error;
  }
}

export async function startDemoDevice(deps: DemoDeviceDeps): Promise<DemoDevice> {
  const demo = await prepareDemoMachine();
  // Beside the demo's disk, not on it: the journal is the runner's, not the device's files.
  const state = await mkdtemp(join(tmpdir(), 'runbook-bot-demo-state-'));
  const connection = createRedis(deps.redisUrl);
  const workerConnection = createRedis(deps.redisUrl, { forWorker: true });
  const disconnect = () => {
    connection.disconnect();
    workerConnection.disconnect();
  };
  try {
    const runner = await startRunner({
      credential: await enrollInProcess(createDeviceCredentialStore(deps.conn), DEMO_DEVICE_ID, { kind: 'system', id: 'sandbox' }),
      tags: demo.config.tags ?? [],
      config: demo.config,
      registry: demo.registry,
      machine: demo.machine,
      journal: createCallJournal(state),
      connection,
      workerConnection,
      prefix: deps.prefix,
      heartbeatMs: deps.heartbeatMs,
      stalledCheckMs: deps.stalledCheckMs,
      logger: deps.logger,
    });
    deps.logger.info('sandbox demo device started', { device_id: DEMO_DEVICE_ID, folder: demo.root, services: Object.keys(demo.config.services) });
    return {
      id: DEMO_DEVICE_ID,
      root: demo.root,
      crash: demo.crash,
      async stop() {
        await runner.stop();
        disconnect();
        await demo.remove();
        await rm(state, { recursive: true, force: true });
      },
    };
  } catch (error) {
    disconnect();
    await demo.remove();
    await rm(state, { recursive: true, force: true });
    throw error;
  }
}

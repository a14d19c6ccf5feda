// `npm start` stopped the ways it is stopped in practice: a process manager signalling npm
// (SIGTERM or SIGINT to npm's pid), the same signal sent again while the service is still
// stopping, and a terminal's Ctrl-C (SIGINT to the whole process group). Each time the
// service stops gracefully, exits 0 and npm with it, and no process of the tree is left.
import { connect, type Socket } from 'node:net';

import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';

import { connectMongo } from '../../src/models/connection.js';
import { childrenOf, expectGone } from '../embedded/support/processes.js';
import { createTestDbName } from '../support/mongo.js';
import { useTestRedis } from '../support/redis.js';
import { startServiceProcess, type ServiceProcess } from '../support/service-process.js';

const redis = useTestRedis();
const dbName = createTestDbName();
const env = () => ({ MONGODB_URI: `${inject('mongodbUri').replace(/\/$/, '')}/${dbName}`, REDIS_URL: redis.url, QUEUE_PREFIX: redis.prefix() });
const TEST_MS = 90_000;

let pids: number[] = [];
let held: Socket | undefined;
afterEach(() => {
  held?.destroy();
  // A failed test must not leave its service running.
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
  pids = [];
});
afterAll(async () => {
  const conn = await connectMongo(inject('mongodbUri'), dbName);
  await conn.dropDatabase();
  await conn.close();
});

/** `root` and every process under it, from /proc. */
function processTree(root: number): number[] {
  const found = [root];
  for (let i = 0; i < found.length; i++) found.push(...childrenOf(found[i]!).map((c) => c.pid));
  return found;
}

async function startUnderNpm(opts: { ownGroup?: boolean } = {}): Promise<ServiceProcess> {
  const service = await startServiceProcess(env(), 60_000, { viaNpm: true, ...opts });
  pids = processTree(service.child.pid!);
  // The start script execs node: npm's one child is the service, with no shell in between
  // (a shell would take npm's signal and die of it, leaving the service behind).
  expect(childrenOf(service.child.pid!).map((c) => c.comm)).toEqual(['node']);
  return service;
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function expectStoppedCleanly(service: ServiceProcess): Promise<void> {
  expect(await within(service.exited, 30_000, 'npm start did not exit')).toBe(0);
  expect(service.lines).toContain('shutting down');
  expect(service.lines.at(-1)).toBe('stopped');
  for (const pid of pids) await expectGone(pid, `process ${pid} of the npm start tree`, 5_000);
}

/** A request whose headers never finish: the service's graceful stop waits for it. */
async function holdARequestOpen(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
  await new Promise((resolve) => setTimeout(resolve, 200)); // read by the server before the signal comes
  return socket;
}

describe('npm start, signalled', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s to npm stops the service gracefully: exit 0, "stopped", no process left', async (signal) => {
    const service = await startUnderNpm();

    process.kill(service.child.pid!, signal);

    await expectStoppedCleanly(service);
  }, TEST_MS);

  it('SIGTERM twice: the second, during the stop, is logged and does not cut the stop short', async () => {
    const service = await startUnderNpm();
    held = await holdARequestOpen(service.port);

    process.kill(service.child.pid!, 'SIGTERM');
    await service.waitForLine('shutting down');
    process.kill(service.child.pid!, 'SIGTERM');
    await service.waitForLine('shutdown already under way');
    expect(service.child.exitCode).toBeNull();
    held.destroy();

    await expectStoppedCleanly(service);
  }, TEST_MS);

  it("Ctrl-C in a terminal (SIGINT to npm's whole process group) stops it gracefully too", async () => {
    const service = await startUnderNpm({ ownGroup: true });

    process.kill(-service.child.pid!, 'SIGINT');

    await expectStoppedCleanly(service);
  }, TEST_MS);
});

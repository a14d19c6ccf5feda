// What the embedded-server tests check about processes and ports: a folder PostgreSQL can
// enter when the tests run as root, whether a pid or port is gone (waited for, bounded),
// which processes a pid started, and which postmasters serve a cluster.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { chmod, mkdtemp } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'vitest';

import { isAlive } from '../../../src/embedded/processes.js';

/**
 * A temporary folder for data folders: mkdtemp makes it 0700, which the "postgres" account
 * PostgreSQL runs as under root could not enter.
 */
export async function makeTempRoot(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  return dir;
}

/** Resolves if something accepts TCP connections on 127.0.0.1:port. */
export function tcpConnect(port: number, host = '127.0.0.1'): Promise<void> {
  return new Promise((ok, fail) => {
    const socket = connect(port, host, () => {
      socket.end();
      ok();
    });
    socket.once('error', fail);
  });
}

export const portOf = (uri: string): number => Number(new URL(uri).port);

export async function expectPortClosed(port: number): Promise<void> {
  await expect(tcpConnect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
}

/** Waits (bounded) for `pid` to be gone: processes not our children can only be polled. */
export async function expectGone(pid: number, what: string, timeoutMs = 15_000): Promise<void> {
  await expect.poll(() => isAlive(pid), { timeout: timeoutMs, interval: 50, message: `${what} (pid ${pid}) is still running` }).toBe(false);
}

/** Pids of the live processes whose parent is `pid`, with their command names. */
export function childrenOf(pid: number): { pid: number; comm: string }[] {
  const found: { pid: number; comm: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (Number(ppid) === pid && state !== 'Z') found.push({ pid: Number(name), comm });
    } catch {
      // gone while we looked
    }
  }
  return found;
}

/** Live postmasters (postgres processes whose parent is not a postgres) working in `clusterDir`. */
export function postmastersOn(clusterDir: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
      const parent = readFileSync(`/proc/${ppid}/stat`, 'utf8');
      if (!parent.includes('(postgres)') && readlinkSync(`/proc/${name}/cwd`) === clusterDir && isAlive(Number(name))) found.push(Number(name));
    } catch {
      // gone while we looked
    }
  }
  return found;
}

/** The pid postmaster.pid names. */
export function postmasterPidOf(clusterDir: string): number {
  return Number(readFileSync(join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

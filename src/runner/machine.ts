// What the built-in tools see of the machine they act on. A runner on a device acts on the
// host itself; the sandbox's demo device is a folder standing in for a machine, so its tools
// read and change nothing outside that folder and the services it started there.
import { readFile, statfs } from 'node:fs/promises';
import os from 'node:os';
import { posix } from 'node:path';

import { hasSystemd } from './tools/systemd-services.js';

export interface SpaceUsage {
  total: number;
  used: number;
  available: number;
}

export interface MemoryUsage {
  total: number;
  available: number;
}

export interface Machine {
  hostname: string;
  /** Where a path a tool's input names (absolute, as the device sees it) is on this runner's disk. */
  resolve(path: string): string;
  /** How the device shows a path of this runner's disk, in tool output. */
  show(path: string): string;
  /** Space of the filesystem holding `path` (a resolved path). */
  filesystem(path: string): Promise<SpaceUsage>;
  memory(): Promise<MemoryUsage>;
  /** Whether a service the runner config does not declare may be handed to systemd. */
  systemd(): Promise<boolean>;
  /** Why http_check may not fetch `url` from here, or null when it may. */
  urlRefusal(url: URL): string | null;
}

async function hostFilesystem(path: string): Promise<SpaceUsage> {
  const fs = await statfs(path);
  // df's view: blocks reserved for root count neither as used nor as available.
  return { total: fs.blocks * fs.bsize, used: (fs.blocks - fs.bfree) * fs.bsize, available: fs.bavail * fs.bsize };
}

/** Total and available RAM; MemAvailable counts reclaimable cache, freemem does not. */
async function hostMemory(): Promise<MemoryUsage> {
  try {
    const text = await readFile('/proc/meminfo', 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1]) * 1024;
    const total = kb('MemTotal');
    const available = kb('MemAvailable');
    if (Number.isFinite(total) && Number.isFinite(available) && total > 0) return { total, available };
  } catch {
    // not Linux
  }
  return { total: os.totalmem(), available: os.freemem() };
}

export const hostMachine: Machine = {
  hostname: os.hostname(),
  resolve: (path) => path,
  show: (path) => path,
  filesystem: hostFilesystem,
  memory: hostMemory,
  systemd: hasSystemd,
  urlRefusal: () => null,
};

/** `path` (absolute) under `root`: ".." cannot climb above it, as in a chroot. */
export function underRoot(root: string, path: string): string {
  const inside = posix.normalize(`/${path}`);
  return inside === '/' ? root : posix.join(root, inside);
}

// The demo device's machine: a folder that stands in for its disk and the services the demo
// runner started for its memory. Paths in tool inputs are read inside the folder (its "/"),
// the disk is as full as the folder against a fixed size, RAM is what the demo services hold
// against a fixed size, and nothing is handed to systemd or fetched beyond loopback.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { sep } from 'node:path';
import { promisify } from 'node:util';

import type { Machine, MemoryUsage, SpaceUsage } from '../../runner/machine.js';
import { underRoot } from '../../runner/machine.js';
import type { RunnerConfig } from '../../runner/runner-config.js';
import { runnerServiceStatus } from '../../runner/tools/runner-services.js';
import { walkTree } from '../../runner/tools/tree-walk.js';

const run = promisify(execFile);

export interface DemoMachineOptions {
  hostname: string;
  /** The folder that is the device's "/". */
  root: string;
  diskBytes: number;
  ramBytes: number;
  /** Whose processes count as the device's memory. */
  services: RunnerConfig['services'];
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** The demo folder holds a few dozen files; the bound only keeps a mistake from walking long. */
const MAX_ENTRIES = 10_000;

/** Resident memory of `pid` in bytes, or 0 when it is gone. */
export async function residentBytes(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
    return Number.isFinite(kb) ? kb * 1024 : 0;
  } catch {
    // No /proc (macOS): ps reports the same figure in KiB.
    const { stdout } = await run('ps', ['-o', 'rss=', '-p', String(pid)]).catch(() => ({ stdout: '' }));
    const kb = Number(stdout.trim());
    return Number.isFinite(kb) ? kb * 1024 : 0;
  }
}

export function createDemoMachine(opts: DemoMachineOptions): Machine {
  const { root } = opts;
  return {
    hostname: opts.hostname,
    resolve: (path) => underRoot(root, path),
    show: (path) => (path === root ? '/' : path.startsWith(root + sep) ? path.slice(root.length) : path),
    async filesystem(): Promise<SpaceUsage> {
      let used = 0;
      await walkTree(root, { maxEntries: MAX_ENTRIES, signal: AbortSignal.timeout(10_000) }, ({ stats }) => {
        if (stats.isFile()) used += stats.size;
      });
      return { total: opts.diskBytes, used: Math.min(used, opts.diskBytes), available: Math.max(0, opts.diskBytes - used) };
    },
    async memory(): Promise<MemoryUsage> {
      let used = 0;
      for (const svc of Object.values(opts.services)) {
        const { service_status, pid } = await runnerServiceStatus(svc);
        if (service_status === 'running' && pid !== null) used += await residentBytes(pid);
      }
      return { total: opts.ramBytes, available: Math.max(0, opts.ramBytes - used) };
    },
    systemd: async () => false,
    urlRefusal: (url) => (LOOPBACK.has(url.hostname) ? null : 'the demo device reaches only loopback addresses (127.0.0.1, localhost, [::1])'),
  };
}

// analyze_disk_usage: how full the filesystem holding `path` is (as df counts it) and which
// directories under `path` take the most space (as du counts it: allocated blocks, hard
// links once, without crossing into other filesystems).
import type { Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { z } from 'zod';

import type { Machine } from '../machine.js';
import { walkTree } from './tree-walk.js';
import { ToolError, type Tool } from './types.js';

const Input = z.object({
  path: z.string().refine(isAbsolute, { error: 'must be an absolute path' }),
  top: z.number().int().min(1).max(100).default(10),
});
type Input = z.output<typeof Input>;

const MAX_ENTRIES = 200_000;

const round1 = (n: number) => Math.round(n * 10) / 10;

async function filesystemUsage(machine: Machine, path: string) {
  const { total, used, available } = await machine.filesystem(path);
  // df's Use%: blocks reserved for root count neither as used nor as available.
  const percent = used + available === 0 ? 0 : round1((used / (used + available)) * 100);
  return { disk_usage_percent: percent, total_bytes: total, used_bytes: used, free_bytes: available };
}

export const analyzeDiskUsageTool: Tool<Input> = {
  name: 'analyze_disk_usage',
  description: 'Disk usage of the filesystem holding a path, and the largest directories under it.',
  input: Input,
  async run(input, ctx) {
    const { machine } = ctx;
    const root = machine.resolve(input.path);
    let rootStats: Stats;
    try {
      rootStats = await lstat(root);
    } catch (e) {
      throw new ToolError(`cannot read "${input.path}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const usage = await filesystemUsage(machine, root);
    if (!rootStats.isDirectory()) return { path: input.path, ...usage, largest: [], partial: false };

    // Each directory's own bytes first; totals are summed bottom-up after the walk.
    const own = new Map<string, number>([[root, 0]]);
    const parentOf = new Map<string, string>();
    const seenLinks = new Set<string>();
    const walk = await walkTree(root, { maxEntries: MAX_ENTRIES, signal: ctx.signal }, ({ path, parent, stats }) => {
      if (stats.nlink > 1 && !stats.isDirectory()) {
        const key = `${stats.dev}:${stats.ino}`;
        if (seenLinks.has(key)) return;
        seenLinks.add(key);
      }
      const bytes = Number.isFinite(stats.blocks) ? stats.blocks * 512 : stats.size;
      if (stats.isDirectory() && stats.dev === rootStats.dev) {
        own.set(path, bytes);
        parentOf.set(path, parent);
      } else {
        own.set(parent, (own.get(parent) ?? 0) + bytes);
      }
    });
    // Insertion order puts every parent before its children, so reversed it is bottom-up.
    const total = new Map(own);
    for (const dir of [...own.keys()].reverse()) {
      const parent = parentOf.get(dir);
      if (parent !== undefined) total.set(parent, (total.get(parent) ?? 0) + (total.get(dir) ?? 0));
    }
    const largest = [...total.entries()]
      .filter(([dir]) => dir !== root)
      .sort((a, b) => b[1] - a[1])
      .slice(0, input.top)
      .map(([dir, bytes]) => ({ path: machine.show(dir), bytes }));
    return {
      path: input.path,
      ...usage,
      scanned_bytes: total.get(root) ?? 0,
      scanned_entries: walk.entries,
      largest,
      partial: walk.partial,
      ...(walk.unreadable > 0 ? { unreadable_directories: walk.unreadable } : {}),
    };
  },
};

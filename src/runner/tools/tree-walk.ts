// A bounded walk of a directory tree that never follows a symlink and never leaves the
// root's filesystem, shared by the disk tools. It stops early (partial) after maxEntries
// entries or when the signal aborts, so a huge tree cannot hold a tool call forever.
import type { Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface WalkEntry {
  path: string;
  /** The directory holding it (as walked: inside the root, no symlinks). */
  parent: string;
  stats: Stats;
}

export interface WalkResult {
  partial: boolean;
  entries: number;
  /** Directories that could not be read (permissions, vanished). */
  unreadable: number;
}

export interface WalkOptions {
  maxEntries: number;
  signal: AbortSignal;
}

const LSTAT_BATCH = 64;

/** Calls `visit` for every entry under `root` (a directory), depth first. */
export async function walkTree(root: string, opts: WalkOptions, visit: (entry: WalkEntry) => void): Promise<WalkResult> {
  const rootStats = await lstat(root);
  const result: WalkResult = { partial: false, entries: 0, unreadable: 0 };
  const stack = [root];
  while (stack.length > 0) {
    if (opts.signal.aborted) return { ...result, partial: true };
    const dir = stack.pop() as string;
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      result.unreadable += 1;
      continue;
    }
    for (let i = 0; i < names.length; i += LSTAT_BATCH) {
      const batch = names.slice(i, i + LSTAT_BATCH).map((name) => join(dir, name));
      const stats = await Promise.all(batch.map((path) => lstat(path).catch(() => null)));
      for (const [k, path] of batch.entries()) {
        const s = stats[k];
        if (s === null || s === undefined) continue; // vanished meanwhile
        if (result.entries >= opts.maxEntries) return { ...result, partial: true };
        result.entries += 1;
        visit({ path, parent: dir, stats: s });
        if (s.isDirectory() && s.dev === rootStats.dev) stack.push(path);
      }
    }
  }
  return result;
}

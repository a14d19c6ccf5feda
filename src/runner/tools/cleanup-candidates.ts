// What disk_cleanup may delete: regular files, older than the cut-off, found by walking the
// configured roots of the chosen categories without following symlinks, each checked to
// sit (by realpath) inside its root. Preview and execute both compute the set this way.
import { lstat, realpath } from 'node:fs/promises';
import { dirname, sep } from 'node:path';

import type { CleanupCategory, RunnerConfig } from '../runner-config.js';
import { walkTree } from './tree-walk.js';

export interface Candidate {
  path: string;
  bytes: number;
  category: CleanupCategory;
  /** The realpath of the root it was found under. */
  root: string;
  dev: number;
  ino: number;
}

export interface CandidateScan {
  candidates: Candidate[];
  categoriesWithoutRoots: CleanupCategory[];
  /** Configured roots that do not exist or are not directories. */
  skippedRoots: string[];
  partial: boolean;
}

const MAX_ENTRIES = 500_000;

export function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** True when `file`'s parent directory, symlinks resolved, is inside `root`. */
export async function parentInside(file: string, root: string, cache = new Map<string, boolean>()): Promise<boolean> {
  const parent = dirname(file);
  let inside = cache.get(parent);
  if (inside === undefined) {
    inside = await realpath(parent).then((real) => isInside(real, root), () => false);
    cache.set(parent, inside);
  }
  return inside;
}

async function realRoot(root: string): Promise<string | null> {
  try {
    const real = await realpath(root);
    // A root of "/" would make every old file on the machine a candidate.
    return real !== sep && (await lstat(real)).isDirectory() ? real : null;
  } catch {
    return null;
  }
}

export async function findCandidates(
  config: RunnerConfig,
  categories: readonly CleanupCategory[],
  cutoffMs: number,
  signal: AbortSignal,
): Promise<CandidateScan> {
  const scan: CandidateScan = { candidates: [], categoriesWithoutRoots: [], skippedRoots: [], partial: false };
  const seen = new Set<string>();
  const parentCache = new Map<string, boolean>();
  let budget = MAX_ENTRIES;
  for (const category of categories) {
    const roots = config.cleanup[category] ?? [];
    if (roots.length === 0) scan.categoriesWithoutRoots.push(category);
    for (const configured of roots) {
      const root = await realRoot(configured);
      if (root === null) {
        scan.skippedRoots.push(configured);
        continue;
      }
      const found: Candidate[] = [];
      const walk = await walkTree(root, { maxEntries: budget, signal }, ({ path, stats }) => {
        if (!stats.isFile() || stats.mtimeMs >= cutoffMs || seen.has(path)) return;
        seen.add(path); // overlapping roots: the first category listed claims the file
        found.push({ path, bytes: stats.size, category, root, dev: stats.dev, ino: stats.ino });
      });
      budget -= walk.entries;
      scan.partial ||= walk.partial;
      for (const c of found) if (await parentInside(c.path, root, parentCache)) scan.candidates.push(c);
      if (budget <= 0 || signal.aborted) {
        scan.partial = true;
        return scan;
      }
    }
  }
  return scan;
}

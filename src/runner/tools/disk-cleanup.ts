// disk_cleanup: old regular files under the configured roots of the chosen categories.
// preview lists them; execute deletes exactly the set preview would list, re-checking each
// file (lstat, same inode, still old, parent still inside the root) right before unlink.
import { lstat, unlink } from 'node:fs/promises';
import { z } from 'zod';

import type { JsonObject } from '../../engine/types.js';
import { CLEANUP_CATEGORIES, type CleanupCategory } from '../runner-config.js';
import { findCandidates, parentInside, type Candidate, type CandidateScan } from './cleanup-candidates.js';
import type { Machine } from '../machine.js';
import type { Tool } from './types.js';

const Input = z.object({
  mode: z.enum(['preview', 'execute']),
  categories: z.array(z.enum(CLEANUP_CATEGORIES)).min(1),
  min_age_hours: z.number().min(0).max(87_600).default(24),
});
type Input = z.output<typeof Input>;

const LIST_MAX = 200;

function perCategory(categories: readonly CleanupCategory[], files: readonly Candidate[]): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(categories.map((c) => [c, 0]));
  for (const f of files) out[f.category] = (out[f.category] ?? 0) + f.bytes;
  return out;
}

function scanFields(scan: CandidateScan, machine: Machine): JsonObject {
  return {
    categories_without_roots: scan.categoriesWithoutRoots,
    ...(scan.skippedRoots.length > 0 ? { skipped_roots: scan.skippedRoots.map(machine.show) } : {}),
    partial: scan.partial,
  };
}

/** Deletes `c` when it is still the file the scan found: its size now, or why it was kept. */
async function deleteIfUnchanged(c: Candidate, cutoffMs: number): Promise<number | string> {
  if (!(await parentInside(c.path, c.root))) return 'its directory is no longer inside the cleanup root';
  const now = await lstat(c.path);
  if (!now.isFile() || now.dev !== c.dev || now.ino !== c.ino) return 'replaced since the scan';
  if (now.mtimeMs >= cutoffMs) return 'modified since the scan';
  await unlink(c.path);
  return now.size;
}

export const diskCleanupTool: Tool<Input> = {
  name: 'disk_cleanup',
  description: 'Preview or delete old files under the cleanup roots configured for temp, package_cache, trash and browser_cache.',
  input: Input,
  async run(input, ctx) {
    const categories = [...new Set(input.categories)];
    const cutoffMs = Date.now() - input.min_age_hours * 3_600_000;
    const scan = await findCandidates(ctx.config, categories, cutoffMs, ctx.signal);
    if (input.mode === 'preview') {
      const listed = [...scan.candidates].sort((a, b) => b.bytes - a.bytes).slice(0, LIST_MAX);
      return {
        mode: 'preview',
        candidates: listed.map((c) => ({ path: ctx.machine.show(c.path), bytes: c.bytes, category: c.category })),
        candidate_count: scan.candidates.length,
        bytes: perCategory(categories, scan.candidates),
        total_bytes: scan.candidates.reduce((sum, c) => sum + c.bytes, 0),
        ...scanFields(scan, ctx.machine),
      };
    }
    const deleted: Candidate[] = [];
    const errors: { path: string; error: string }[] = [];
    for (const c of scan.candidates) {
      if (ctx.signal.aborted) break;
      try {
        const outcome = await deleteIfUnchanged(c, cutoffMs);
        if (typeof outcome === 'number') deleted.push({ ...c, bytes: outcome });
        else errors.push({ path: ctx.machine.show(c.path), error: outcome });
      } catch (e) {
        errors.push({ path: ctx.machine.show(c.path), error: (e as NodeJS.ErrnoException).code ?? (e as Error).message });
      }
    }
    return {
      mode: 'execute',
      files_deleted: deleted.length,
      bytes_freed: deleted.reduce((sum, c) => sum + c.bytes, 0),
      bytes: perCategory(categories, deleted),
      candidate_count: scan.candidates.length,
      errors: errors.slice(0, LIST_MAX),
      error_count: errors.length,
      ...scanFields(scan, ctx.machine),
      partial: scan.partial || ctx.signal.aborted,
    };
  },
};

import { lstat, lutimes, mkdir, symlink } from 'node:fs/promises';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';

import { createToolRegistry, type ToolRegistry } from '../../../src/runner/tool-registry.js';
import type { ToolContext } from '../../../src/runner/tools/types.js';
import { contextFor, createSandbox, type Sandbox } from './sandbox.js';

const exists = (path: string) => lstat(path).then(() => true, () => false);

describe('disk_cleanup', () => {
  let box: Sandbox;
  let ctx: ToolContext;
  let tools: ToolRegistry;
  const boxes: Sandbox[] = [];

  // A fresh tree per test: temp and package_cache roots with old and new files, and
  // symlinks inside the temp root pointing at old files outside every root.
  beforeEach(async () => {
    box = await createSandbox();
    boxes.push(box);
    await box.file('roots/tmp/old-1.log', 1000, 48);
    await box.file('roots/tmp/sub/old-2.log', 2000, 30);
    await box.file('roots/tmp/new-1.log', 500, 1);
    await box.file('roots/cache/old.deb', 3000, 100);
    await box.file('roots/cache/new.deb', 100, 0);
    await box.file('outside/victim.txt', 4000, 200);
    await box.file('outside/deep/victim-2.txt', 5000, 200);
    await symlink(box.path('outside'), box.path('roots/tmp/link-to-dir'));
    await symlink(box.path('outside/victim.txt'), box.path('roots/tmp/link-to-file'));
    const old = new Date(Date.now() - 300 * 3_600_000);
    await lutimes(box.path('roots/tmp/link-to-file'), old, old);
    ctx = contextFor({ cleanup: { temp: ['roots/tmp'], package_cache: ['roots/cache'] } }, box.dir);
    tools = await createToolRegistry(ctx.config);
  });

  afterAll(async () => {
    for (const b of boxes) await b.remove();
  });

  it('previews exactly the old files with their bytes and deletes nothing', async () => {
    const out = await tools.call('disk_cleanup', { mode: 'preview', categories: ['temp', 'package_cache'] }, ctx);
    const listed = (out.candidates as { path: string; bytes: number; category: string }[]).map((c) => [c.path, c.bytes, c.category]);
    expect(listed.sort()).toEqual(
      [
        [box.path('roots/cache/old.deb'), 3000, 'package_cache'],
        [box.path('roots/tmp/old-1.log'), 1000, 'temp'],
        [box.path('roots/tmp/sub/old-2.log'), 2000, 'temp'],
      ].sort(),
    );
    expect(out).toMatchObject({ candidate_count: 3, bytes: { temp: 3000, package_cache: 3000 }, total_bytes: 6000, categories_without_roots: [] });
    for (const rel of ['roots/tmp/old-1.log', 'roots/tmp/sub/old-2.log', 'roots/cache/old.deb']) expect(await exists(box.path(rel))).toBe(true);
  });

  it('executes by deleting exactly the previewed files and reports the bytes freed', async () => {
    const out = await tools.call('disk_cleanup', { mode: 'execute', categories: ['temp', 'package_cache'] }, ctx);
    expect(out).toMatchObject({ files_deleted: 3, bytes_freed: 6000, bytes: { temp: 3000, package_cache: 3000 }, errors: [] });
    for (const rel of ['roots/tmp/old-1.log', 'roots/tmp/sub/old-2.log', 'roots/cache/old.deb']) expect(await exists(box.path(rel))).toBe(false);
    for (const rel of ['roots/tmp/new-1.log', 'roots/cache/new.deb']) expect(await exists(box.path(rel))).toBe(true);
    expect((await lstat(box.path('roots/tmp/sub'))).isDirectory()).toBe(true); // empty directories stay
  });

  it('neither follows nor deletes a symlink that leads out of the root, even to old files', async () => {
    await tools.call('disk_cleanup', { mode: 'execute', categories: ['temp'], min_age_hours: 0 }, ctx);
    expect(await exists(box.path('outside/victim.txt'))).toBe(true);
    expect(await exists(box.path('outside/deep/victim-2.txt'))).toBe(true);
    expect((await lstat(box.path('roots/tmp/link-to-dir'))).isSymbolicLink()).toBe(true);
    expect((await lstat(box.path('roots/tmp/link-to-file'))).isSymbolicLink()).toBe(true);
  });

  it('treats min_age_hours as the age cut-off', async () => {
    const out = await tools.call('disk_cleanup', { mode: 'preview', categories: ['temp'], min_age_hours: 40 }, ctx);
    expect((out.candidates as { path: string }[]).map((c) => c.path)).toEqual([box.path('roots/tmp/old-1.log')]);
  });

  it('reports a category that has no configured root and finds nothing for it', async () => {
    const out = await tools.call('disk_cleanup', { mode: 'preview', categories: ['trash', 'browser_cache'] }, ctx);
    expect(out).toMatchObject({ candidate_count: 0, total_bytes: 0, categories_without_roots: ['trash', 'browser_cache'] });
  });

  it('skips a configured root that does not exist', async () => {
    await mkdir(box.path('empty'));
    const c = contextFor({ cleanup: { trash: ['missing', 'empty'] } }, box.dir);
    const out = await (await createToolRegistry(c.config)).call('disk_cleanup', { mode: 'preview', categories: ['trash'] }, c);
    expect(out).toMatchObject({ candidate_count: 0, skipped_roots: [box.path('missing')], categories_without_roots: [] });
  });

  it('rejects an unknown mode and names the field', async () => {
    await expect(tools.call('disk_cleanup', { mode: 'nuke', categories: ['temp'] }, ctx)).rejects.toThrow(
      /input\.mode: expected one of preview, execute/,
    );
  });

  it('rejects an empty category list and names the field', async () => {
    await expect(tools.call('disk_cleanup', { mode: 'preview', categories: [] }, ctx)).rejects.toThrow(/input\.categories: must not be empty/);
  });
});

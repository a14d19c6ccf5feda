import { symlink } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createToolRegistry, type ToolRegistry } from '../../../src/runner/tool-registry.js';
import type { ToolContext } from '../../../src/runner/tools/types.js';
import { contextFor, createSandbox, type Sandbox } from './sandbox.js';

describe('analyze_disk_usage', () => {
  let box: Sandbox;
  let ctx: ToolContext;
  let tools: ToolRegistry;

  beforeAll(async () => {
    box = await createSandbox();
    await box.file('tree/big/a.bin', 400_000);
    await box.file('tree/big/inner/b.bin', 300_000);
    await box.file('tree/small/c.bin', 20_000);
    await box.file('tree/medium/d.bin', 150_000);
    await box.file('elsewhere/huge.bin', 2_000_000);
    // Followed, this link would make tree/link the biggest directory.
    await symlink(box.path('elsewhere'), box.path('tree/link'));
    ctx = contextFor({}, box.dir);
    tools = await createToolRegistry(ctx.config);
  });

  afterAll(() => box.remove());

  it('lists the biggest directory first, counting subdirectories, without following symlinks', async () => {
    const out = await tools.call('analyze_disk_usage', { path: box.path('tree') }, ctx);
    const largest = out.largest as { path: string; bytes: number }[];
    expect(largest.map((d) => d.path)).toEqual([box.path('tree/big'), box.path('tree/big/inner'), box.path('tree/medium'), box.path('tree/small')]);
    expect(largest[0]?.bytes).toBeGreaterThanOrEqual(700_000);
    expect(largest[0]?.bytes).toBeLessThan(2_000_000);
    expect(out.partial).toBe(false);
  });

  it('reports the filesystem usage as df does, in 0..100 with one decimal', async () => {
    const out = await tools.call('analyze_disk_usage', { path: box.path('tree'), top: 1 }, ctx);
    expect(out.disk_usage_percent).toBeGreaterThanOrEqual(0);
    expect(out.disk_usage_percent).toBeLessThanOrEqual(100);
    expect(Math.round((out.disk_usage_percent as number) * 10) / 10).toBe(out.disk_usage_percent);
    expect(out.total_bytes).toBeGreaterThan(0);
    expect((out.used_bytes as number) + (out.free_bytes as number)).toBeLessThanOrEqual(out.total_bytes as number);
    expect(out.largest).toHaveLength(1);
  });

  it('stops early and says partial when the call is aborted', async () => {
    const aborted = { ...ctx, signal: AbortSignal.abort() };
    expect(await tools.call('analyze_disk_usage', { path: box.path('tree') }, aborted)).toMatchObject({ partial: true });
  });

  it('rejects a relative path and one that does not exist', async () => {
    await expect(tools.call('analyze_disk_usage', { path: 'tree' }, ctx)).rejects.toThrow(/input\.path: must be an absolute path/);
    await expect(tools.call('analyze_disk_usage', { path: box.path('nope') }, ctx)).rejects.toThrow(/cannot read .*nope.*ENOENT/);
    await expect(tools.call('analyze_disk_usage', { path: '/', top: 500 }, ctx)).rejects.toThrow(/input\.top: must be at most 100/);
  });
});

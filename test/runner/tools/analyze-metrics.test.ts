import { describe, expect, it } from 'vitest';

import { createToolRegistry } from '../../../src/runner/tool-registry.js';
import { contextFor } from './sandbox.js';

describe('analyze_metrics', () => {
  it('returns RAM and CPU percentages within 0..100 and non-negative load averages', async () => {
    const ctx = contextFor({}, process.cwd());
    const out = await (await createToolRegistry(ctx.config)).call('analyze_metrics', { window: '1h' }, ctx);
    for (const key of ['ram_usage_percent', 'cpu_usage_percent']) {
      expect(out[key]).toBeTypeOf('number');
      expect(out[key]).toBeGreaterThanOrEqual(0);
      expect(out[key]).toBeLessThanOrEqual(100);
    }
    for (const key of ['load_average_1m', 'load_average_5m', 'load_average_15m']) expect(out[key]).toBeGreaterThanOrEqual(0);
    expect(out.cpu_count).toBeGreaterThanOrEqual(1);
    expect(out.window).toBe('1h');
    expect(out.note).toMatch(/sampled now/);
    // One decimal, as verify conditions compare them.
    expect(Math.round((out.ram_usage_percent as number) * 10) / 10).toBe(out.ram_usage_percent);
  });

  it('defaults the window to 5m and rejects one it cannot read', async () => {
    const ctx = contextFor({}, process.cwd());
    const tools = await createToolRegistry(ctx.config);
    expect((await tools.call('analyze_metrics', undefined, ctx)).window).toBe('5m');
    await expect(tools.call('analyze_metrics', { window: 'an hour' }, ctx)).rejects.toThrow(/input\.window: must be a duration/);
  });
});

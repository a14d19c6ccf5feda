// analyze_metrics: RAM, CPU and load of this machine, sampled now. The runner keeps no
// history, so `window` is echoed for the record; load averages are the kernel's own windows.
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';

import type { Tool } from './types.js';

const Input = z.object({
  window: z
    .string()
    .regex(/^\d{1,6}[smhd]$/, { error: 'must be a duration such as 30s, 5m, 1h or 1d' })
    .default('5m'),
});
type Input = z.output<typeof Input>;

const CPU_SAMPLE_MS = 250;
const round1 = (n: number) => Math.round(n * 10) / 10;

function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    const all = times.user + times.nice + times.sys + times.irq + times.idle;
    total += all;
    busy += all - times.idle;
  }
  return { busy, total };
}

async function cpuPercent(signal: AbortSignal): Promise<number> {
  const before = cpuTimes();
  await sleep(CPU_SAMPLE_MS, undefined, { signal }).catch(() => undefined);
  const after = cpuTimes();
  const total = after.total - before.total;
  return total <= 0 ? 0 : Math.min(100, Math.max(0, ((after.busy - before.busy) / total) * 100));
}

export const analyzeMetricsTool: Tool<Input> = {
  name: 'analyze_metrics',
  description: 'RAM and CPU usage and load averages of this machine, sampled now.',
  input: Input,
  async run(input, ctx) {
    const [mem, cpu] = await Promise.all([ctx.machine.memory(), cpuPercent(ctx.signal)]);
    const [load1, load5, load15] = os.loadavg() as [number, number, number];
    return {
      ram_usage_percent: round1(((mem.total - mem.available) / mem.total) * 100),
      ram_total_bytes: mem.total,
      ram_available_bytes: mem.available,
      cpu_usage_percent: round1(cpu),
      cpu_count: os.availableParallelism(),
      load_average_1m: round1(load1),
      load_average_5m: round1(load5),
      load_average_15m: round1(load15),
      window: input.window,
      note: `values are sampled now (CPU over ${CPU_SAMPLE_MS} ms); the runner keeps no history for the ${input.window} window`,
    };
  },
};

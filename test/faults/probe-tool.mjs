// A runner's custom tool for the fault tests (test/faults): each call appends one line, its
// `tag`, to the file FAULT_PROBE_LOG names (O_APPEND: lines of concurrent calls never mix),
// so a test counts how often each run's tool really ran.
import { appendFileSync } from 'node:fs';

import { z } from 'zod';

export default {
  name: 'fault_probe',
  description: 'Records that it ran (one line in FAULT_PROBE_LOG) and answers with its input.',
  input: z.object({ tag: z.string().min(1) }),
  async run(input) {
    const log = process.env.FAULT_PROBE_LOG;
    if (!log) throw new Error('FAULT_PROBE_LOG is not set');
    appendFileSync(log, `${input.tag}\n`);
    return { tag: input.tag };
  },
};

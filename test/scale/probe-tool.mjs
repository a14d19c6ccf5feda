// The scale harness's tool (test/scale): a runner loads it as a custom tool. Each call
// appends one line, `TAG STEP DEVICE`, to the file SCALE_PROBE_LOG names (O_APPEND: lines
// from concurrent calls never mix), so the harness counts how often each step's tool really
// ran and on which device; it answers with its input, so a verify on `verdict` passes or
// fails as the run's variable says.
import { appendFileSync } from 'node:fs';

import { z } from 'zod';

export default {
  name: 'scale_probe',
  description: 'Records that it ran (one line in SCALE_PROBE_LOG) and answers with its input.',
  input: z.object({ tag: z.string().min(1), step: z.string().min(1), verdict: z.string().min(1) }),
  async run(input) {
    const log = process.env.SCALE_PROBE_LOG;
    if (!log) throw new Error('SCALE_PROBE_LOG is not set');
    appendFileSync(log, `${input.tag} ${input.step} ${process.env.SCALE_PROBE_DEVICE ?? '?'}\n`);
    return { tag: input.tag, step: input.step, verdict: input.verdict };
  },
};

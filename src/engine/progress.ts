import type { Progress, Run } from './types.js';

/** Counts as in reference 002: the active step is still part of `remaining`. */
export function computeProgress(run: Pick<Run, 'steps'>): Progress {
  let completed = 0;
  let skipped = 0;
  let failed = 0;
  for (const step of run.steps) {
    if (step.status === 'completed') completed += 1;
    else if (step.status === 'skipped') skipped += 1;
    else if (step.status === 'failed') failed += 1;
  }
  const total = run.steps.length;
  return { total_steps: total, completed, skipped, failed, remaining: total - completed - skipped - failed };
}

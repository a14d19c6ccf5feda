// Runs whose steps call tools on a device, driven through the real engine: a device runner's
// answers are `tool_result` commands, a timer's is `wait_elapsed`.
import { readFileSync } from 'node:fs';
import type { Command, JsonValue, Run } from '../../../../src/engine/index.js';
import { NOW, begin, step, system, visitOf } from '../../../engine/support/runbook.js';

export const SEC = 1000;

/** The Disk Cleanup playbook in the device-playbook format (agentic: every step is a tool or a wait). */
export const diskCleanup = JSON.parse(
  readFileSync(new URL('../../../fixtures/definitions/playbook-disk-cleanup.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

export const apply = (run: Run, command: Command, now = NOW): Run => step(run, command, now).run;

/** What the device runner sends back for the current step. */
export function toolResult(run: Run, ok: boolean, output: JsonValue, error?: string): Command {
  return {
    type: 'tool_result',
    actor: system,
    step_id: run.current_step_id!,
    visit: visitOf(run),
    ok,
    output,
    ...(error === undefined ? {} : { error }),
  };
}

/** The timer of the current wait going off. */
export function waitElapsed(run: Run): Command {
  return { type: 'wait_elapsed', actor: system, step_id: run.wait!.step_id, visit: run.wait!.visit };
}

export interface DiskCleanupOptions {
  deviceId?: string;
  /** What analyze_disk_usage reports before the cleanup. */
  before?: JsonValue;
  /** What it reports at the verify step. */
  after?: JsonValue;
}

/**
 * Disk Cleanup on `web-01`, run to the end: the baseline takes 4s, the preview 2s, the
 * cleanup 12s, the wait 30s and the verify 3s. The run completes when `after` passes
 * (`disk_usage_percent` below 90) and fails otherwise.
 */
export function diskCleanupRun(opts: DiskCleanupOptions = {}): Run {
  let { run } = begin(diskCleanup, { deviceId: opts.deviceId ?? 'web-01' });
  run = apply(run, toolResult(run, true, opts.before ?? { disk_usage_percent: 94.2, largest: '/var/log' }), NOW + 4 * SEC);
  run = apply(run, toolResult(run, true, { candidates: 1200, bytes: 8_400_000_000 }), NOW + 6 * SEC);
  run = apply(run, toolResult(run, true, { freed_bytes: 8_100_000_000 }), NOW + 18 * SEC);
  run = apply(run, waitElapsed(run), NOW + 48 * SEC);
  return apply(run, toolResult(run, true, opts.after ?? { disk_usage_percent: 71.0 }), NOW + 51 * SEC);
}

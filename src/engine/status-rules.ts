import type { CommandType, RunStatus } from './types.js';

/** DESIGN.md §4: every run status change the engine may make. Anything else is a bug. */
export const ALLOWED_TRANSITIONS: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  pending: ['running', 'cancelled'],
  running: ['waiting', 'paused', 'completed', 'failed', 'rolled_back', 'cancelled'],
  waiting: ['running', 'paused', 'completed', 'failed', 'rolled_back', 'cancelled'],
  paused: ['running', 'cancelled'],
  failed: ['running'],
  completed: [],
  rolled_back: [],
  cancelled: [],
};

export function canTransition(from: RunStatus, to: RunStatus): boolean {
  return ALLOWED_TRANSITIONS[from].includes(to);
}

/**
 * The run statuses in which each command may be applied. A tool result may land while
 * the run is paused: it is held on the step and applied on resume, so the tool never
 * has to run twice.
 */
export const COMMAND_ALLOWED_FROM: Readonly<Record<CommandType, readonly RunStatus[]>> = {
  start: ['pending'],
  advance: ['running'],
  skip: ['running', 'waiting'],
  fail: ['running', 'waiting'],
  pause: ['running', 'waiting'],
  resume: ['paused'],
  cancel: ['pending', 'running', 'waiting', 'paused'],
  retry: ['failed'],
  approve: ['running'],
  reject: ['running'],
  wait_elapsed: ['running', 'waiting'],
  // A deadline passing while paused is applied on resume.
  timer_fired: ['running', 'waiting'],
  run_tool: ['running'],
  tool_result: ['running', 'paused'],
};

export function isTerminal(status: RunStatus): boolean {
  return ALLOWED_TRANSITIONS[status].length === 0;
}

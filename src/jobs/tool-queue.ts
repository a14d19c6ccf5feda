// Tool calls travel over BullMQ: the bot puts each call on its device's own queue, the
// device's runner answers on one shared results queue the bot consumes. Job data is the
// call itself (the runner has no business reading runs); ids are deterministic so a call
// dispatched twice is one job, and a result delivered twice is one job.
import { z } from 'zod';

import { JsonObjectSource, JsonValueSource } from '../engine/definition/json-source.js';
import { STEP_TYPES } from '../engine/types.js';
import { DeviceId } from '../models/device-model.js';

export const TOOL_RESULTS_QUEUE = 'runbook-tool-results';
/** DESIGN §2: a tool call no runner answers within the step's timeout_seconds fails the step. */
export const DEFAULT_TOOL_TIMEOUT_SECONDS = 120;

export function toolQueueName(deviceId: string): string {
  return `runbook-tools-${DeviceId.parse(deviceId)}`;
}

/** One id per try of one visit of one step of one run. BullMQ rejects ":" and all-digit ids. */
export function toolCallId(runId: string, stepId: string, visit: number, attempt: number): string {
  return `call-${runId}-${stepId}-${visit}-${attempt}`;
}

/** A call is tried once: the runner turns every failure into a result. */
export const CALL_JOB_OPTIONS = { removeOnComplete: true, removeOnFail: true } as const;
/** Results are retried while the bot cannot apply them (database down); a lost one still ends in its timeout. */
export const RESULT_JOB_OPTIONS = {
  removeOnComplete: true,
  removeOnFail: true,
  attempts: 8,
  backoff: { type: 'exponential', delay: 500 },
} as const;

export const resultJobId = (callId: string): string => `result-${callId}`;
export const timeoutJobId = (callId: string): string => `timeout-${callId}`;

export const ToolCallJob = z.object({
  callId: z.string().min(1),
  runId: z.string().min(1),
  stepId: z.string().min(1),
  visit: z.number().int().min(1),
  try: z.number().int().min(1),
  stepType: z.enum(STEP_TYPES),
  deviceId: DeviceId,
  tool: z.string().min(1),
  input: JsonObjectSource,
  /** Epoch ms after which the bot has failed the step: a runner must not start the call then. */
  deadline: z.number().int(),
});
export type ToolCallJob = z.infer<typeof ToolCallJob>;

export const ToolResultJob = z.object({
  callId: z.string().min(1),
  runId: z.string().min(1),
  stepId: z.string().min(1),
  visit: z.number().int().min(1),
  try: z.number().int().min(1),
  deviceId: z.string(),
  /** `runner`: the device answered; `timeout`: it did not in time; `dispatch`: the call could not be sent. */
  source: z.enum(['runner', 'timeout', 'dispatch']),
  ok: z.boolean(),
  output: JsonValueSource,
  error: z.string().nullable(),
  /** A runner's result: the device credential's signature over it (device-credential.ts). */
  signature: z.string().max(200).optional(),
});
export type ToolResultJob = z.infer<typeof ToolResultJob>;

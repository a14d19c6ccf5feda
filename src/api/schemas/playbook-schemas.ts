// Reference 001's device playbook bodies and answers, camelCase as 001 writes them: the
// playbooks (published runbooks that run tools on a device), the execute body, and executions
// (runs seen through 001's execution record).
import { z } from 'zod';

import { AUDIENCES, SEVERITIES, STEP_TYPES, TRIGGER_SOURCES, VERIFY_OPERATORS } from '../../engine/index.js';
import { DeviceId } from '../../models/device-model.js';
import { Cursor, JsonObject, JsonValue, named, Pagination, Timestamp } from './common.js';
import { StartVariables } from './run-schemas.js';

/** 001's execution statuses; a paused run of ours is `waiting` (held, and will go on). */
export const EXECUTION_STATUSES = ['pending', 'running', 'waiting', 'completed', 'failed', 'rolled_back', 'cancelled'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
export const EXECUTION_STEP_STATUSES = ['pending', 'running', 'completed', 'failed', 'skipped'] as const;

const CONTEXT_MAX_CHARS = 10_000;

export const ListPlaybooksQuery = z.strictObject({
  /** 001's categories are disk, service, memory, patch, security; ours are any slug. `all`: every one. */
  category: z.string().min(1).max(100).optional(),
});

export const ExecutePlaybookBody = named(
  'ExecutePlaybook',
  z.strictObject({
    deviceId: DeviceId,
    variables: StartVariables.optional(),
    /** Kept on the execution (alertId, conversationId, userInput…); `triggeredBy` says who started it. */
    context: z
      .object({ triggeredBy: z.enum(TRIGGER_SOURCES).optional() })
      .catchall(JsonValue)
      .refine((v) => JSON.stringify(v).length <= CONTEXT_MAX_CHARS, { message: `must be at most ${CONTEXT_MAX_CHARS} characters as JSON` })
      .optional(),
  }),
);

export const ListExecutionsQuery = z.strictObject({
  deviceId: DeviceId.optional(),
  playbookId: z.string().min(1).max(300).optional(),
  status: z.enum(EXECUTION_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  /** Ours: the `next_cursor` of the previous page. */
  cursor: Cursor,
});

export const ExecutionIdParam = z.object({ id: z.string().min(1).max(100) });

export const PlaybookStep = named(
  'PlaybookStep',
  z.object({
    type: z.enum(STEP_TYPES),
    name: z.string(),
    description: z.string(),
    tool: z.string().optional(),
    toolInput: JsonObject.optional(),
    waitSeconds: z.int().optional(),
    verifyCondition: z
      .object({
        metric: z.string(),
        operator: z.enum(VERIFY_OPERATORS),
        value: JsonValue,
        /** Ours: try again every intervalSeconds until timeoutSeconds. */
        retry: z.object({ intervalSeconds: z.int(), timeoutSeconds: z.int() }).optional(),
      })
      .optional(),
    onFailure: z.enum(['stop', 'continue', 'rollback']),
  }),
);

export const Playbook = named(
  'Playbook',
  z.object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    category: z.string().nullable(),
    steps: z.array(PlaybookStep),
    requiredPermissions: z.array(z.string()),
    triggerConditions: z
      .object({
        alertTypes: z.array(z.string()),
        deviceTags: z.array(z.string()),
        autoExecute: z.boolean(),
        minSeverity: z.enum(SEVERITIES).optional(),
      })
      .optional(),
    isBuiltIn: z.boolean(),
    isActive: z.boolean(),
    /** Ours: the published version an execution runs. */
    version: z.int(),
    /** Ours: agentic runs every step itself; hybrid waits for an approver before each act. */
    audience: z.enum(AUDIENCES),
    /** Ours: the variables an execution takes (the device comes as the body's deviceId). */
    variables: z.array(z.object({ name: z.string(), description: z.string(), required: z.boolean(), default: z.string().nullable() })),
  }),
);

export const ExecutionStep = named(
  'ExecutionStep',
  z.object({
    stepIndex: z.int(),
    stepName: z.string(),
    /** Ours: the step's type. */
    type: z.enum(STEP_TYPES),
    status: z.enum(EXECUTION_STEP_STATUSES),
    toolUsed: z.string().nullable(),
    toolInput: JsonObject.nullable(),
    toolOutput: JsonValue,
    /** Ours: why the step failed (a tool's error, a verify's verdict). */
    error: z.string().nullable(),
    startedAt: Timestamp.nullable(),
    completedAt: Timestamp.nullable(),
    durationMs: z.int().nullable(),
  }),
);

export const Execution = named(
  'Execution',
  z.object({
    id: z.string(),
    deviceId: z.string(),
    playbookId: z.string(),
    /** Ours: the playbook's name and the version the execution runs. */
    playbookName: z.string(),
    playbookVersion: z.int(),
    status: z.enum(EXECUTION_STATUSES),
    /** Ours: the run's own status (`paused` shows as `waiting` in `status`). */
    runStatus: z.string(),
    currentStepIndex: z.int(),
    steps: z.array(ExecutionStep),
    context: JsonObject,
    errorMessage: z.string().nullable(),
    rollbackExecuted: z.boolean(),
    triggeredBy: z.enum(TRIGGER_SOURCES),
    triggeredByUserId: z.string().nullable(),
    startedAt: Timestamp.nullable(),
    completedAt: Timestamp.nullable(),
  }),
);

const ExecutionPlaybook = z.object({ id: z.string(), name: z.string(), category: z.string().nullable(), version: z.int() });

export const PlaybookListResponse = named('PlaybookList', z.object({ data: z.array(Playbook) }));
export const PlaybookResponse = named('PlaybookResponse', z.object({ data: Playbook }));
/** 001's answer to execute and to an execution's detail: the record and its playbook. */
export const ExecutionResponse = named('ExecutionResponse', z.object({ execution: Execution, playbook: ExecutionPlaybook }));
export const ExecutionListResponse = named('ExecutionList', z.object({ data: z.array(Execution), pagination: Pagination }));

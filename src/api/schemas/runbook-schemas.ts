// Reference 002's runbook bodies and answers. Requests reuse the definition format's own
// schemas (src/engine/definition), so the API refuses exactly what an import refuses.
import { z } from 'zod';

import { AlertTriggerSource, RunbookSource, StepShape, StepSource, VariableSource } from '../../engine/definition/index.js';
import { AUDIENCES, STEP_TYPES } from '../../engine/index.js';
import { Cursor, JsonObject, Limit, named, Pagination, Timestamp } from './common.js';

export const CreateRunbookBody = named(
  'CreateRunbook',
  RunbookSource.extend({
    /** Ours: 002's runbooks run at once, so a new runbook is published unless this says draft. */
    status: z.enum(['draft', 'published']).optional(),
  }),
);

const sourceShape = RunbookSource.shape;
export const UpdateRunbookBody = named(
  'UpdateRunbook',
  z.strictObject({
    name: sourceShape.name.optional(),
    description: sourceShape.description,
    category: sourceShape.category,
    tags: sourceShape.tags,
    variables: sourceShape.variables,
    audience: sourceShape.audience,
    required_permissions: sourceShape.required_permissions,
    trigger: AlertTriggerSource.optional(),
    timeout_seconds: sourceShape.timeout_seconds,
  }),
);

export const StepBody = named('StepInput', StepSource);
export const UpdateStepBody = named('StepPatch', StepShape.partial());
export const ReorderStepsBody = named('ReorderSteps', z.strictObject({ step_ids: z.array(z.string().min(1).max(100)).min(1).max(100) }));
export const ForkBody = named(
  'ForkRunbook',
  z.strictObject({ company: z.string().min(1).max(100).optional(), name: sourceShape.name.optional() }),
);

const Bool = z.enum(['true', 'false']).transform((v) => v === 'true');
export const ListRunbooksQuery = z.strictObject({
  category: z.string().max(100).optional(),
  tags: z.string().max(2100).optional(),
  is_archived: Bool.optional(),
  q: z.string().max(200).optional(),
  limit: Limit,
  cursor: Cursor,
});

export const Variable = named(
  'Variable',
  z.object({ name: z.string(), description: z.string(), required: z.boolean(), default: z.string().nullable() }),
);

export const Step = named(
  'Step',
  z.object({
    id: z.string(),
    position: z.int(),
    label: z.string(),
    instruction: z.string(),
    type: z.enum(STEP_TYPES),
    required: z.boolean(),
    ref: z.string().nullable(),
    next_default: z.string().nullable(),
    next_on_outcome: z.record(z.string(), z.string().nullable()).nullable(),
    approvers: z.array(z.string()),
    allow_self_approval: z.boolean(),
    approvals_required: z.int(),
    approval_timeout_seconds: z.int().nullable(),
    on_timeout: z.enum(['reject', 'fail', 'escalate']).nullable(),
    escalation_channel: z.string().nullable(),
    wait_seconds: z.int().nullable(),
    tool: z.string().nullable(),
    tool_input: JsonObject.nullable(),
    on_failure: z.enum(['stop', 'continue', 'rollback']),
    timeout_seconds: z.int().nullable(),
    metadata: JsonObject.nullable(),
  }),
);

const runbookCore = {
  id: z.string(),
  name: z.string(),
  description: z.string(),
  category: z.string().nullable(),
  tags: z.array(z.string()),
  is_archived: z.boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
  /** Ours: draft, published or archived; only published runbooks start runs. */
  status: z.enum(['draft', 'published', 'archived']),
  slug: z.string(),
  scope: z.union([z.object({ type: z.literal('global') }), z.object({ type: z.literal('company'), company: z.string() })]),
  audience: z.enum(AUDIENCES),
  /** The version these steps are from; runs pin the published one. */
  version: z.int(),
  published_version: z.int().nullable(),
  forked_from: z.object({ runbook_id: z.string(), version: z.int() }).nullable(),
  builtin: z.boolean(),
};

export const Runbook = named(
  'Runbook',
  z.object({
    ...runbookCore,
    required_permissions: z.array(z.string()),
    variables: z.array(Variable),
    /** The run's deadline from its start, or null. */
    timeout_seconds: z.int().nullable(),
    steps: z.array(Step),
  }),
);
export const RunbookSummary = named('RunbookSummary', z.object({ ...runbookCore, step_count: z.int() }));

export const RunbookResponse = named('RunbookResponse', z.object({ data: Runbook }));
export const RunbookListResponse = named('RunbookList', z.object({ data: z.array(RunbookSummary), pagination: Pagination }));
export const StepResponse = named('StepResponse', z.object({ data: Step }));
export const StepListResponse = named('StepList', z.object({ data: z.array(Step) }));

export { VariableSource };

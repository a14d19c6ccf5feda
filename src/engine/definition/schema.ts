// The snake_case definition format (DESIGN §2) as zod schemas. A source keeps only what the
// author wrote (no `.default()`), so export → import gives back an equal object; compile fills
// the defaults. Graph rules (refs, reachability) live in graph.ts: they need the whole list.
import { z } from 'zod';
import {
  AUDIENCES,
  ON_FAILURE,
  SEVERITIES,
  STEP_TYPES,
  TOOL_STEP_TYPES,
  VERIFY_OPERATORS,
  type StepType,
} from '../types.js';
import { JsonObjectSource, JsonValueSource } from './json-source.js';

export { JsonObjectSource, JsonValueSource } from './json-source.js';

export const LIMITS = {
  name: 255,
  description: 5000,
  category: 100,
  tags: 20,
  tag: 100,
  company: 100,
  permissions: 50,
  permission: 100,
  variables: 20,
  variableName: 50,
  variableDescription: 1000,
  variableDefault: 1000,
  triggerItems: 50,
  triggerItem: 100,
  steps: 100,
  label: 255,
  instruction: 5000,
  approvers: 50,
  slackId: 30,
  tool: 100,
  metric: 200,
  waitSeconds: 604_800,
  timeoutSeconds: 86_400,
  retryTimeoutSeconds: 604_800,
} as const;

export const SLUG_PATTERN = /^[a-z0-9-]+$/;
export const PERMISSION_PATTERN = /^[a-z0-9_-]+:[a-z0-9_*-]+$/;
export const VARIABLE_NAME_PATTERN = /^[A-Za-z0-9_]+$/;
export const STEP_ID_PATTERN = /^rbs_[a-z0-9]{12}$/;
export const STEP_REF_PATTERN = /^[a-z0-9_-]{1,100}$/;
export const OUTCOME_KEY_PATTERN = /^[a-z0-9_-]{1,100}$/;
export const TOOL_PATTERN = /^[a-z0-9_.-]+$/;
const METRIC_PATTERN = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
// Slack ids: real ones are 9+ characters, but workspaces and tests use shorter ones.
const CHANNEL_PATTERN = /^[CGD][A-Z0-9]+$/;
// An approver: a Slack user (U…, W…) or user group (S…) id of at most LIMITS.slackId
// characters, or an API key by its name (`apikey:deploy-bot`; names as `apikey create` takes).
const APPROVER_PATTERN = /^(?:[UWS][A-Z0-9]{1,29}|apikey:[a-z0-9][a-z0-9_-]{0,62})$/;
const APPROVER_MESSAGE = 'must be a Slack user id (U…, W…), a user group id (S…) or an API key (apikey:NAME)';

const SLUG_MESSAGE = 'must use only lowercase letters, digits and "-"';

// Variable names become keys of a run's variables; "__proto__" would vanish on assignment.
// (zod itself strips "__proto__" keys from records such as next_on_outcome.)
const notProto = (name: string) => name !== '__proto__';
const NOT_PROTO = { message: 'must not be "__proto__"' };

export type StepTarget = { kind: 'ref'; ref: string } | { kind: 'id'; id: string };

/** Reads `step:REF` or a step id; null when the text is neither. */
export function parseTarget(value: string): StepTarget | null {
  if (value.startsWith('step:')) {
    const ref = value.slice('step:'.length);
    return STEP_REF_PATTERN.test(ref) ? { kind: 'ref', ref } : null;
  }
  return STEP_ID_PATTERN.test(value) ? { kind: 'id', id: value } : null;
}

const TargetSource = z
  .string({ error: (iss) => (iss.input === undefined ? undefined : 'must be "step:REF", a step id or null') })
  .refine((value) => parseTarget(value) !== null, {
    message: 'must be "step:REF" (REF: lowercase letters, digits, "_", "-"), a step id (rbs_ + 12 lowercase letters or digits) or null',
  })
  .nullable();

const slug = (max: number) => z.string().max(max).regex(SLUG_PATTERN, SLUG_MESSAGE);
const seconds = (max: number) => z.int().min(1).max(max);

export const ScopeSource = z.union(
  [z.literal('global'), z.strictObject({ company: z.string().min(1).max(LIMITS.company) })],
  { error: 'must be "global" or {company: NAME}' },
);
export type ScopeSource = z.infer<typeof ScopeSource>;

export const VariableSource = z.strictObject({
  name: z
    .string()
    .max(LIMITS.variableName)
    .regex(VARIABLE_NAME_PATTERN, 'must use only letters, digits and "_"')
    .refine(notProto, NOT_PROTO),
  description: z.string().max(LIMITS.variableDescription).optional(),
  required: z.boolean().optional(),
  default: z.string().max(LIMITS.variableDefault).optional(),
});
export type VariableSource = z.infer<typeof VariableSource>;

const triggerList = z.array(z.string().min(1).max(LIMITS.triggerItem)).max(LIMITS.triggerItems);

export const AlertTriggerSource = z.strictObject({
  alert_types: triggerList.optional(),
  device_tags: triggerList.optional(),
  min_severity: z.enum(SEVERITIES).optional(),
  channels: z
    .array(z.string().max(LIMITS.slackId).regex(CHANNEL_PATTERN, 'must be a Slack channel id such as C024BE91L'))
    .max(LIMITS.triggerItems)
    .optional(),
  auto_execute: z.boolean().optional(),
});
export type AlertTriggerSource = z.infer<typeof AlertTriggerSource>;

export const VerifySource = z.strictObject({
  metric: z
    .string()
    .max(LIMITS.metric)
    .regex(METRIC_PATTERN, 'must be a dotted path of letters, digits, "_" and "-" (e.g. disk.usage_percent)'),
  operator: z.enum(VERIFY_OPERATORS),
  value: JsonValueSource,
  retry: z
    .strictObject({
      interval_seconds: seconds(LIMITS.timeoutSeconds),
      timeout_seconds: seconds(LIMITS.retryTimeoutSeconds),
    })
    .optional(),
});
export type VerifySource = z.infer<typeof VerifySource>;

/** A step's fields without the per-type rules (for partial updates, which are checked whole afterwards). */
export const StepShape = z.strictObject({
  label: z.string().min(1).max(LIMITS.label),
  instruction: z.string().max(LIMITS.instruction).optional(),
  type: z.enum(STEP_TYPES).optional(),
  id: z.string().regex(STEP_ID_PATTERN, 'must be rbs_ followed by 12 lowercase letters or digits').optional(),
  ref: z.string().regex(STEP_REF_PATTERN, 'must be 1 to 100 lowercase letters, digits, "_" or "-"').optional(),
  required: z.boolean().optional(),
  next_default: TargetSource.optional(),
  next_on_outcome: z
    .record(
      z.string().regex(OUTCOME_KEY_PATTERN, 'outcome must be 1 to 100 lowercase letters, digits, "_" or "-"'),
      TargetSource,
    )
    .optional(),
  approvers: z
    .array(
      // The pattern bounds the length too, so an overlong id gets this one message.
      z.string().regex(APPROVER_PATTERN, APPROVER_MESSAGE),
    )
    .max(LIMITS.approvers)
    .optional(),
  allow_self_approval: z.boolean().optional(),
  /** Distinct people who must approve (N of the approvers); the run's starter never counts when N > 1. */
  approvals_required: z.int().min(1).max(LIMITS.approvers).optional(),
  /** How long the approvers have; then on_timeout applies. */
  approval_timeout_seconds: seconds(LIMITS.timeoutSeconds).optional(),
  on_timeout: z.enum(['reject', 'fail', 'escalate']).optional(),
  /** Where an escalation is posted, mentioning the approvers. */
  escalation_channel: z.string().max(LIMITS.slackId).regex(CHANNEL_PATTERN, 'must be a Slack channel id such as C024BE91L').optional(),
  wait_seconds: seconds(LIMITS.waitSeconds).optional(),
  tool: z
    .string()
    .max(LIMITS.tool)
    .regex(TOOL_PATTERN, 'must use only lowercase letters, digits, "_", "." and "-"')
    .optional(),
  tool_input: JsonObjectSource.optional(),
  verify: VerifySource.optional(),
  on_failure: z.enum(ON_FAILURE).optional(),
  timeout_seconds: seconds(LIMITS.timeoutSeconds).optional(),
  metadata: JsonObjectSource.optional(),
});

const NEEDS_TOOL: readonly StepType[] = ['diagnose', 'act', 'verify'];
const APPROVAL_TYPES: readonly StepType[] = ['gate', 'act'];

// Which fields make sense depends on the step type; each rule names the field at fault.
function checkStepFields(step: z.infer<typeof StepShape>, ctx: z.RefinementCtx): void {
  const type = step.type ?? 'action';
  const flag = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const onlyOn = (field: keyof typeof step, types: readonly StepType[]) => {
    if (step[field] !== undefined && !types.includes(type)) {
      flag([field], `is only allowed on ${types.join(', ')} steps (this step is ${type})`);
    }
  };
  const requiredOn = (field: keyof typeof step, types: readonly StepType[]) => {
    if (step[field] === undefined && types.includes(type)) flag([field], `is required on ${type} steps`);
  };
  requiredOn('wait_seconds', ['wait']);
  onlyOn('wait_seconds', ['wait']);
  requiredOn('tool', NEEDS_TOOL);
  onlyOn('tool', TOOL_STEP_TYPES);
  onlyOn('tool_input', TOOL_STEP_TYPES);
  // Where a tool is required its absence is already reported; rollback is where it is optional.
  if (type === 'rollback' && step.tool_input !== undefined && step.tool === undefined) {
    flag(['tool_input'], 'needs a tool on the same step');
  }
  requiredOn('verify', ['verify']);
  onlyOn('verify', ['verify']);
  onlyOn('approvers', APPROVAL_TYPES);
  onlyOn('allow_self_approval', APPROVAL_TYPES);
  onlyOn('approvals_required', APPROVAL_TYPES);
  onlyOn('approval_timeout_seconds', APPROVAL_TYPES);
  if (step.on_timeout !== undefined && step.approval_timeout_seconds === undefined) flag(['on_timeout'], 'needs approval_timeout_seconds on the same step');
  if (step.on_timeout === 'escalate' && step.escalation_channel === undefined) flag(['escalation_channel'], 'is required when on_timeout is escalate');
  if (step.escalation_channel !== undefined && step.on_timeout !== 'escalate') flag(['escalation_channel'], 'is only used when on_timeout is escalate');
  // Named people only (no groups): fewer than N of them could never approve.
  const people = step.approvers ?? [];
  if (step.approvals_required !== undefined && people.length > 0 && people.every((a) => !a.startsWith('S')) && step.approvals_required > people.length) {
    flag(['approvals_required'], `must be at most the number of approvers (${people.length})`);
  }
  if (type === 'branch') {
    if (step.next_on_outcome === undefined) flag(['next_on_outcome'], 'is required on branch steps');
    else if (Object.keys(step.next_on_outcome).length === 0) flag(['next_on_outcome'], 'must route at least one outcome on branch steps');
  }
  const retry = step.verify?.retry;
  if (retry && retry.timeout_seconds < retry.interval_seconds) {
    flag(['verify', 'retry', 'timeout_seconds'], `must be at least interval_seconds (${retry.interval_seconds})`);
  }
}

export const StepSource = StepShape.superRefine(checkStepFields);
export type StepSource = z.infer<typeof StepSource>;

const variableList = z
  .array(VariableSource)
  .max(LIMITS.variables)
  .superRefine((variables, ctx) => {
    const seen = new Map<string, number>();
    variables.forEach((variable, index) => {
      const first = seen.get(variable.name);
      if (first === undefined) seen.set(variable.name, index);
      else ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate variable "${variable.name}" (also variables[${first}])` });
    });
  });

export const RunbookSource = z.strictObject({
  name: z.string().min(1).max(LIMITS.name),
  description: z.string().max(LIMITS.description).optional(),
  category: slug(LIMITS.category).optional(),
  tags: z.array(slug(LIMITS.tag)).max(LIMITS.tags).optional(),
  scope: ScopeSource.optional(),
  audience: z.enum(AUDIENCES).optional(),
  required_permissions: z
    .array(z.string().max(LIMITS.permission).regex(PERMISSION_PATTERN, 'must look like resource:action (e.g. devices:execute)'))
    .max(LIMITS.permissions)
    .optional(),
  variables: variableList.optional(),
  trigger: AlertTriggerSource.optional(),
  /** How long a run may take from its start; past it the run fails. */
  timeout_seconds: seconds(LIMITS.timeoutSeconds).optional(),
  steps: z.array(StepSource).min(1).max(LIMITS.steps),
});
export type RunbookSource = z.infer<typeof RunbookSource>;

/** Every key the format knows, for "did you mean" hints on unknown keys. */
export const KNOWN_KEYS: ReadonlySet<string> = new Set([
  ...Object.keys(RunbookSource.shape),
  ...Object.keys(StepShape.shape),
  ...Object.keys(VariableSource.shape),
  ...Object.keys(AlertTriggerSource.shape),
  ...Object.keys(VerifySource.shape),
  'interval_seconds',
  'company',
]);

// Source → runnable form: every default filled, every target turned into a step id, so the
// engine never needs to know about refs, positions or what an author left out.
import type { CompiledRunbook, CompiledStep, JsonObject, Scope, Trigger, VariableDef, VerifyCondition } from '../types.js';
import { parseTarget, type RunbookSource, type StepSource, type AlertTriggerSource, type VerifySource } from './schema.js';

/**
 * Expects a source that passed parseDefinition; throws on an unresolvable target, which
 * only a caller that skipped validation can hit. `stepId` supplies ids for steps without `id`
 * (the engine makes no ids itself).
 */
export function compileRunbook(source: RunbookSource, stepId: (step: StepSource, index: number) => string): CompiledRunbook {
  const ids = source.steps.map((step, index) => step.id ?? stepId(step, index));
  const byRef = new Map<string, string>();
  source.steps.forEach((step, index) => {
    if (step.ref !== undefined && !byRef.has(step.ref)) byRef.set(step.ref, idAt(ids, index));
  });
  const known = new Set(ids);

  const resolve = (target: string | null): string | null => {
    if (target === null) return null;
    const parsed = parseTarget(target);
    const id = parsed?.kind === 'ref' ? byRef.get(parsed.ref) : parsed?.kind === 'id' && known.has(parsed.id) ? parsed.id : undefined;
    if (id === undefined) throw new Error(`compileRunbook: unresolved step target "${target}"; validate with parseDefinition first`);
    return id;
  };

  const steps = source.steps.map((step, index): CompiledStep => {
    const byPosition = index + 1 < ids.length ? idAt(ids, index + 1) : null;
    return {
      id: idAt(ids, index),
      ref: step.ref ?? null,
      position: index + 1,
      label: step.label,
      instruction: step.instruction ?? '',
      type: step.type ?? 'action',
      required: step.required ?? true,
      next_default: step.next_default === undefined ? byPosition : resolve(step.next_default),
      next_on_outcome:
        step.next_on_outcome === undefined
          ? null
          : Object.fromEntries(Object.entries(step.next_on_outcome).map(([outcome, target]) => [outcome, resolve(target)])),
      approvers: [...(step.approvers ?? [])],
      allow_self_approval: step.allow_self_approval ?? true,
      approvals_required: step.approvals_required ?? 1,
      approval_timeout_seconds: step.approval_timeout_seconds ?? null,
      on_timeout: step.approval_timeout_seconds === undefined ? null : (step.on_timeout ?? 'reject'),
      escalation_channel: step.escalation_channel ?? null,
      wait_seconds: step.wait_seconds ?? null,
      tool: step.tool ?? null,
      tool_input: copy(step.tool_input),
      verify: step.verify === undefined ? null : compileVerify(step.verify),
      on_failure: step.on_failure ?? 'stop',
      timeout_seconds: step.timeout_seconds ?? null,
      metadata: copy(step.metadata),
    };
  });

  return {
    name: source.name,
    description: source.description ?? '',
    category: source.category ?? null,
    tags: [...(source.tags ?? [])],
    scope: compileScope(source.scope),
    audience: source.audience ?? 'human',
    required_permissions: [...(source.required_permissions ?? [])],
    variables: (source.variables ?? []).map(
      (v): VariableDef => ({ name: v.name, description: v.description ?? '', required: v.required ?? false, default: v.default ?? null }),
    ),
    trigger: source.trigger === undefined ? null : compileTrigger(source.trigger),
    timeout_seconds: source.timeout_seconds ?? null,
    steps,
  };
}

function idAt(ids: string[], index: number): string {
  const id = ids[index];
  if (id === undefined) throw new Error(`compileRunbook: no step at index ${index}`);
  return id;
}

// The compiled runbook is kept on runs; it must not share objects with the source it came from.
function copy(value: JsonObject | undefined): JsonObject | null {
  return value === undefined ? null : structuredClone(value);
}

function compileScope(scope: RunbookSource['scope']): Scope {
  return scope === undefined || scope === 'global' ? { type: 'global' } : { type: 'company', company: scope.company };
}

function compileTrigger(trigger: AlertTriggerSource): Trigger {
  return {
    alert_types: [...(trigger.alert_types ?? [])],
    device_tags: [...(trigger.device_tags ?? [])],
    min_severity: trigger.min_severity ?? null,
    channels: [...(trigger.channels ?? [])],
    auto_execute: trigger.auto_execute ?? false,
  };
}

function compileVerify(verify: VerifySource): VerifyCondition {
  return {
    metric: verify.metric,
    operator: verify.operator,
    value: structuredClone(verify.value),
    retry: verify.retry === undefined ? null : { ...verify.retry },
  };
}

// Runbooks in reference 002's shape (plus our lifecycle fields): pure functions from what the
// services return to what the API answers; the response schemas in schemas/ describe them.
import type { z } from 'zod';

import type { CompiledStep } from '../engine/index.js';
import type { RunbookRecord } from '../models/runbook-store.js';
import type { RunbookView } from '../services/runbooks.js';
import { iso } from './schemas/common.js';
import type { Runbook, RunbookSummary, Step } from './schemas/runbook-schemas.js';

function core(record: RunbookRecord) {
  return {
    id: record.id,
    name: record.name,
    description: record.description,
    category: record.category,
    tags: record.tags,
    is_archived: record.status === 'archived',
    created_at: iso(record.created_at) as string,
    updated_at: iso(record.updated_at) as string,
    status: record.status,
    slug: record.slug,
    scope: record.scope,
    audience: record.audience,
    version: record.latest_version,
    published_version: record.published_version,
    forked_from: record.forked_from,
    builtin: record.builtin,
  };
}

export function presentStep(step: CompiledStep): z.infer<typeof Step> {
  return {
    id: step.id,
    position: step.position,
    label: step.label,
    instruction: step.instruction,
    type: step.type,
    required: step.required,
    ref: step.ref,
    next_default: step.next_default,
    next_on_outcome: step.next_on_outcome,
    approvers: step.approvers,
    allow_self_approval: step.allow_self_approval,
    approvals_required: step.approvals_required,
    approval_timeout_seconds: step.approval_timeout_seconds,
    on_timeout: step.on_timeout,
    escalation_channel: step.escalation_channel,
    wait_seconds: step.wait_seconds,
    tool: step.tool,
    tool_input: step.tool_input,
    on_failure: step.on_failure,
    timeout_seconds: step.timeout_seconds,
    metadata: step.metadata,
  };
}

export function presentRunbook({ record, compiled }: RunbookView): z.infer<typeof Runbook> {
  return {
    ...core(record),
    required_permissions: compiled.required_permissions,
    variables: compiled.variables,
    timeout_seconds: compiled.timeout_seconds ?? null,
    steps: compiled.steps.map(presentStep),
  };
}

export function presentRunbookSummary(record: RunbookRecord, stepCount: number): z.infer<typeof RunbookSummary> {
  return { ...core(record), step_count: stepCount };
}

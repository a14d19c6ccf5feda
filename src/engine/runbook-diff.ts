// Comparing two compiled versions of a runbook (DESIGN §3: "two versions can be compared step
// by step"). Steps are matched by id, which the store keeps stable across versions, so a
// relabelled step shows as changed rather than as one removed and one added.
import { canonicalJson } from './definition/index.js';
import type { CompiledRunbook, CompiledStep } from './types.js';

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

export interface StepAt {
  id: string;
  /** 1-based position in the version the step is in (the old one for removed steps). */
  position: number;
  label: string;
}

export interface StepChange {
  id: string;
  /** Label and position in the newer version. */
  label: string;
  position: number;
  fields: FieldChange[];
}

export interface StepMove {
  id: string;
  label: string;
  from: number;
  to: number;
}

export interface RunbookDiff {
  fields: FieldChange[];
  steps_added: StepAt[];
  steps_removed: StepAt[];
  steps_changed: StepChange[];
  /**
   * Steps whose order relative to the other kept steps changed. A step that only shifted
   * because others were added or removed before it is not listed.
   */
  moved: StepMove[];
}

// Records (not arrays) so adding a field to CompiledRunbook/CompiledStep without deciding
// here whether it is compared is a type error.
const RUNBOOK_FIELDS: Record<Exclude<keyof CompiledRunbook, 'steps'>, true> = {
  name: true,
  description: true,
  category: true,
  tags: true,
  scope: true,
  audience: true,
  required_permissions: true,
  variables: true,
  trigger: true,
  timeout_seconds: true,
};
const STEP_FIELDS: Record<Exclude<keyof CompiledStep, 'id' | 'position'>, true> = {
  label: true,
  ref: true,
  type: true,
  instruction: true,
  required: true,
  next_default: true,
  next_on_outcome: true,
  approvers: true,
  allow_self_approval: true,
  approvals_required: true,
  approval_timeout_seconds: true,
  on_timeout: true,
  escalation_channel: true,
  wait_seconds: true,
  tool: true,
  tool_input: true,
  verify: true,
  on_failure: true,
  timeout_seconds: true,
  metadata: true,
};

const same = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);

function changedFields<T extends object>(a: T, b: T, fields: readonly (keyof T & string)[]): FieldChange[] {
  return fields.filter((field) => !same(a[field], b[field])).map((field) => ({ field, from: a[field], to: b[field] }));
}

/** What changed from `a` (older) to `b` (newer). */
export function diffRunbooks(a: CompiledRunbook, b: CompiledRunbook): RunbookDiff {
  const before = new Map(a.steps.map((step) => [step.id, step]));
  const after = new Map(b.steps.map((step) => [step.id, step]));
  const at = (step: CompiledStep): StepAt => ({ id: step.id, position: step.position, label: step.label });
  const stepFields = Object.keys(STEP_FIELDS) as (keyof CompiledStep & string)[];

  const steps_changed: StepChange[] = [];
  for (const step of b.steps) {
    const old = before.get(step.id);
    if (old === undefined) continue;
    const fields = changedFields(old, step, stepFields);
    if (fields.length > 0) steps_changed.push({ id: step.id, label: step.label, position: step.position, fields });
  }

  return {
    fields: changedFields(a, b, Object.keys(RUNBOOK_FIELDS) as (keyof CompiledRunbook & string)[]),
    steps_added: b.steps.filter((step) => !before.has(step.id)).map(at),
    steps_removed: a.steps.filter((step) => !after.has(step.id)).map(at),
    steps_changed,
    moved: findMoves(a.steps, b.steps, before, after),
  };
}

export function isEmptyDiff(diff: RunbookDiff): boolean {
  return (
    diff.fields.length + diff.steps_added.length + diff.steps_removed.length + diff.steps_changed.length + diff.moved.length === 0
  );
}

// The kept steps in a longest common subsequence of both orders stayed in place; the rest moved.
function findMoves(
  aSteps: CompiledStep[],
  bSteps: CompiledStep[],
  before: Map<string, CompiledStep>,
  after: Map<string, CompiledStep>,
): StepMove[] {
  const x = aSteps.filter((step) => after.has(step.id)).map((step) => step.id);
  const y = bSteps.filter((step) => before.has(step.id)).map((step) => step.id);
  const stayed = longestCommonSubsequence(x, y);
  return y
    .filter((id) => !stayed.has(id))
    .map((id) => {
      const from = before.get(id) as CompiledStep;
      const to = after.get(id) as CompiledStep;
      return { id, label: to.label, from: from.position, to: to.position };
    });
}

function longestCommonSubsequence(x: string[], y: string[]): Set<string> {
  // lengths[i][j] = LCS length of x[i..] and y[j..]; at most 100×100 steps.
  const lengths = Array.from({ length: x.length + 1 }, () => new Array<number>(y.length + 1).fill(0));
  const len = (i: number, j: number): number => lengths[i]?.[j] ?? 0;
  for (let i = x.length - 1; i >= 0; i--) {
    for (let j = y.length - 1; j >= 0; j--) {
      (lengths[i] as number[])[j] = x[i] === y[j] ? len(i + 1, j + 1) + 1 : Math.max(len(i + 1, j), len(i, j + 1));
    }
  }
  const kept = new Set<string>();
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    if (x[i] === y[j]) {
      kept.add(x[i] as string);
      i++;
      j++;
    } else if (len(i + 1, j) > len(i, j + 1)) i++;
    // On a tie, keep the old order's step in place: the one that was dragged is the one moved.
    else j++;
  }
  return kept;
}

const MAX_VALUE_CHARS = 120;

function show(value: unknown): string {
  if (value === undefined) return '(none)';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

/** Plain text, one change per line, for the CLI (`runbook-bot diff NAME V1 V2`). */
export function formatDiff(diff: RunbookDiff): string {
  if (isEmptyDiff(diff)) return 'no differences';
  const lines: string[] = [];
  for (const change of diff.fields) lines.push(`~ ${change.field}: ${show(change.from)} → ${show(change.to)}`);
  for (const step of diff.steps_removed) lines.push(`- step ${step.position} ${show(step.label)} (${step.id}) removed`);
  for (const step of diff.steps_added) lines.push(`+ step ${step.position} ${show(step.label)} (${step.id}) added`);
  for (const move of diff.moved) lines.push(`↕ step ${show(move.label)} (${move.id}) moved from ${move.from} to ${move.to}`);
  for (const step of diff.steps_changed) {
    lines.push(`~ step ${step.position} ${show(step.label)} (${step.id}):`);
    for (const change of step.fields) lines.push(`    ${change.field}: ${show(change.from)} → ${show(change.to)}`);
  }
  return lines.join('\n');
}

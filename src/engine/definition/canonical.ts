// Stable text forms of a definition: canonical JSON so the store can tell an unchanged file
// from a changed one whatever the key order, and YAML in the order people read a runbook.
import { Document, visit } from 'yaml';
import type { RunbookSource } from './schema.js';

type Dict = Record<string, unknown>;

const isPlainObject = (value: unknown): value is Dict =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** JSON.stringify with object keys sorted at every depth (undefined members dropped as usual). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    isPlainObject(item) ? Object.fromEntries(Object.keys(item).sort().map((key) => [key, item[key]])) : item,
  );
}

const RUNBOOK_ORDER = ['name', 'description', 'category', 'tags', 'scope', 'audience', 'required_permissions', 'variables', 'trigger', 'timeout_seconds', 'steps'];
const STEP_ORDER = [
  'label',
  'ref',
  'id',
  'type',
  'instruction',
  'required',
  'next_default',
  'next_on_outcome',
  'approvers',
  'allow_self_approval',
  'approvals_required',
  'approval_timeout_seconds',
  'on_timeout',
  'escalation_channel',
  'wait_seconds',
  'tool',
  'tool_input',
  'verify',
  'on_failure',
  'timeout_seconds',
  'metadata',
];
const VARIABLE_ORDER = ['name', 'description', 'required', 'default'];
const TRIGGER_ORDER = ['alert_types', 'device_tags', 'min_severity', 'channels', 'auto_execute'];
const VERIFY_ORDER = ['metric', 'operator', 'value', 'retry'];

/** Known keys first in `order`, anything else after in its own order; absent keys are skipped. */
function ordered(object: Dict, order: readonly string[]): Dict {
  const keys = [...order.filter((key) => Object.hasOwn(object, key)), ...Object.keys(object).filter((key) => !order.includes(key))];
  return Object.fromEntries(keys.filter((key) => object[key] !== undefined).map((key) => [key, object[key]]));
}

function orderStep(step: Dict): Dict {
  const out = ordered(step, STEP_ORDER);
  if (isPlainObject(out.verify)) out.verify = ordered(out.verify, VERIFY_ORDER);
  return out;
}

export function toYaml(source: RunbookSource): string {
  const out = ordered(source as Dict, RUNBOOK_ORDER);
  if (Array.isArray(out.variables)) out.variables = out.variables.map((v: Dict) => ordered(v, VARIABLE_ORDER));
  if (isPlainObject(out.trigger)) out.trigger = ordered(out.trigger, TRIGGER_ORDER);
  if (Array.isArray(out.steps)) out.steps = out.steps.map((step: Dict) => orderStep(step));
  // No anchors/aliases: a reader should see each value where it applies.
  const doc = new Document(out, { aliasDuplicateObjects: false });
  visit(doc, {
    Scalar(_key, node) {
      // yaml 2.x writes a whitespace-only multi-line string as a block scalar without an
      // indentation indicator, which reads back differently; double quotes are exact.
      if (typeof node.value === 'string' && node.value.includes('\n') && node.value.trim() === '') node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString();
}

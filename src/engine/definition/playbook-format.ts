// The device-playbook format (reference 001) is camelCase with `name`/`description` per step.
// We rename what we know and leave everything else in place, so the validator names any
// camelCase key we did not expect instead of it vanishing silently.

const TOP_MARKERS = ['triggerConditions', 'requiredPermissions', 'isActive'];
const STEP_MARKERS = ['toolInput', 'waitSeconds', 'verifyCondition', 'onFailure'];

const TOP_KEYS: Record<string, string> = {
  triggerConditions: 'trigger',
  requiredPermissions: 'required_permissions',
};
const STEP_KEYS: Record<string, string> = {
  name: 'label',
  description: 'instruction',
  toolInput: 'tool_input',
  waitSeconds: 'wait_seconds',
  verifyCondition: 'verify',
  onFailure: 'on_failure',
};
const TRIGGER_KEYS: Record<string, string> = {
  alertTypes: 'alert_types',
  deviceTags: 'device_tags',
  autoExecute: 'auto_execute',
  minSeverity: 'min_severity',
};

type Dict = Record<string, unknown>;

const isRecord = (value: unknown): value is Dict => typeof value === 'object' && value !== null && !Array.isArray(value);
const has = (object: Dict, key: string) => Object.hasOwn(object, key);

function isPlaybookStep(step: unknown): boolean {
  if (!isRecord(step)) return false;
  return STEP_MARKERS.some((key) => has(step, key)) || (has(step, 'name') && !has(step, 'label'));
}

export function isPlaybookFormat(input: unknown): boolean {
  if (!isRecord(input)) return false;
  if (TOP_MARKERS.some((key) => has(input, key))) return true;
  return Array.isArray(input.steps) && input.steps.some(isPlaybookStep);
}

// A key is renamed only when its snake_case twin is absent; with both present the camelCase
// one stays and is reported as unknown, rather than one of the two being dropped.
function rename(object: Dict, keys: Record<string, string>): Dict {
  // fromEntries defines own properties, so even a "__proto__" key is kept for the validator.
  return Object.fromEntries(
    Object.entries(object).map(([key, value]) => {
      const target = keys[key];
      return [target !== undefined && !has(object, target) ? target : key, value];
    }),
  );
}

export function fromPlaybookFormat(input: unknown): unknown {
  if (!isRecord(input)) return input;
  // isActive is lifecycle, which the store keeps (draft/published/archived), not the definition.
  const out = rename(input, TOP_KEYS);
  delete out.isActive;
  if (isRecord(out.trigger)) out.trigger = rename(out.trigger, TRIGGER_KEYS);
  if (Array.isArray(out.steps)) out.steps = out.steps.map((step) => (isRecord(step) ? rename(step, STEP_KEYS) : step));
  // Playbooks are run by machines (the AI assistant or an alert), not followed by people.
  if (!has(out, 'audience')) out.audience = 'agentic';
  // Playbooks take their inputs at run time ({{serviceName}}, {{deviceId}}) without declaring
  // them; declare each one the steps use, so a run asks for it instead of refusing it.
  if (!has(out, 'variables')) {
    const names = placeholdersIn(out.steps);
    if (names.length > 0) out.variables = names.map((name) => ({ name, description: PLACEHOLDER_HINTS[name] ?? 'used by this playbook', required: true }));
  }
  return out;
}

const PLACEHOLDER_HINTS: Record<string, string> = { deviceId: 'the device the playbook runs on' };

function placeholdersIn(value: unknown, found: string[] = []): string[] {
  if (typeof value === 'string') {
    for (const match of value.matchAll(/\{\{([A-Za-z0-9_]+)\}\}/g)) {
      const name = match[1];
      if (name && !found.includes(name)) found.push(name);
    }
  } else if (Array.isArray(value)) {
    for (const item of value) placeholdersIn(item, found);
  } else if (isRecord(value)) {
    for (const item of Object.values(value)) placeholdersIn(item, found);
  }
  return found;
}

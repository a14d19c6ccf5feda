// What a tool step found, in one line: the key result of a verify step next to its baseline
// (`disk_usage_percent 94.2 → 71 (< 90 ✓)`), shared by the run message and the step's thread
// reply. Tool output comes from a device runner and is untrusted: everything read from it is
// cut and escaped here.
import {
  TOOL_STEP_TYPES,
  evaluateVerify,
  readMetric,
  type CompiledStep,
  type JsonValue,
  type Run,
  type RunStep,
  type VerifyOperator,
} from '../../engine/index.js';
import { code, escapeMrkdwn, truncate } from './mrkdwn.js';

const OPERATOR_SYMBOLS: Readonly<Record<VerifyOperator, string>> = {
  lt: '<',
  gt: '>',
  eq: '=',
  ne: '≠',
  contains: 'contains',
};

/** Budgets before escaping: a metric path is at most 200 characters in a definition. */
const METRIC_CHARS = 100;
const VALUE_CHARS = 60;
const TOOL_CHARS = 60;

const FINISHED = new Set<RunStep['status']>(['completed', 'skipped', 'failed']);

/** `<` for lt, `≠` for ne, `contains` for contains. */
export function operatorSymbol(operator: VerifyOperator): string {
  return OPERATOR_SYMBOLS[operator];
}

/**
 * A metric value as mrkdwn: numbers, booleans and null as they are (`71`, `true`), strings,
 * arrays and objects as JSON in inline code (`"running"`), cut to a short length; a metric
 * the output does not have is `missing`.
 */
export function formatMetricValue(value: JsonValue | undefined): string {
  if (value === undefined) return 'missing';
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return escapeMrkdwn(String(value));
  return code(truncate(JSON.stringify(value), VALUE_CHARS));
}

/** True when the step's tool was called in its latest visit (its input is recorded then). */
export function ranTool(def: CompiledStep, state: RunStep): boolean {
  return TOOL_STEP_TYPES.includes(def.type) && def.tool !== null && (state.tool_input !== null || state.tool_tries > 0);
}

/** The tool a step ran, in code, and its number of calls when more than one (verify retries). */
export function toolCallText(def: CompiledStep, state: RunStep): string {
  const tries = state.tool_tries > 1 ? ` (${state.tool_tries} tries)` : '';
  return `${code(truncate(def.tool ?? '', TOOL_CHARS))}${tries}`;
}

/**
 * The metric as an earlier step saw it: read from the latest step finished before this
 * step's visit whose tool output has the metric (typically the diagnose step that ran the
 * same tool). Undefined when no earlier step recorded it.
 */
function baselineOf(run: Run, state: RunStep, metric: string): JsonValue | undefined {
  const earlier = run.steps
    .filter((s) => s.step_id !== state.step_id && FINISHED.has(s.status) && s.visit > 0 && s.visit < state.visit)
    .sort((a, b) => b.visit - a.visit);
  for (const s of earlier) {
    if (s.tool_output === null) continue;
    const value = readMetric(s.tool_output, metric);
    if (value !== undefined) return value;
  }
  return undefined;
}

/**
 * The key result of a finished verify step: `disk_usage_percent 94.2 → 71 (< 90 ✓)`, with
 * the baseline when an earlier step recorded the same metric, `disk_usage_percent 71 (< 90 ✓)`
 * without one, `✗` when the condition does not hold. Null for any other step, for a verify
 * step not completed or failed, and for one whose tool left no output (it failed, or a
 * person did the step).
 */
export function verifyResultText(run: Run, def: CompiledStep, state: RunStep): string | null {
  const condition = def.verify;
  if (def.type !== 'verify' || condition === null) return null;
  // A verify skipped by a person concluded nothing, whatever its last try saw.
  if (state.status !== 'completed' && state.status !== 'failed') return null;
  if (state.tool_output === null || state.tool_output === undefined) return null;
  const verdict = evaluateVerify(condition, state.tool_output);
  const baseline = baselineOf(run, state, condition.metric);
  const now = formatMetricValue(verdict.actual);
  const values = baseline === undefined ? now : `${formatMetricValue(baseline)} → ${now}`;
  const expected = `${operatorSymbol(condition.operator)} ${formatMetricValue(condition.value)}`;
  const metric = escapeMrkdwn(truncate(condition.metric, METRIC_CHARS));
  return `${metric} ${values} (${expected} ${verdict.passed ? '✓' : '✗'})`;
}

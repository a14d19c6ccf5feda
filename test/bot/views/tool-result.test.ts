import { describe, expect, it } from 'vitest';
import { formatMetricValue, operatorSymbol, toolCallText, verifyResultText } from '../../../src/bot/views/tool-result.js';
import { findStep, type JsonValue, type Run, type VerifyOperator } from '../../../src/engine/index.js';
import { NOW, alice, begin } from '../../engine/support/runbook.js';
import { SEC, apply, diskCleanupRun, toolResult, waitElapsed } from './support/tool-runs.js';

/** The verify result of step `stepId` (default: the Disk Cleanup verify step, the fifth). */
function resultOf(run: Run, stepId = 'rbs_5'): string | null {
  const step = findStep(run, stepId);
  if (!step) throw new Error(`no step ${stepId}`);
  return verifyResultText(run, step.def, step.state);
}

/** An agentic runbook: optional diagnose steps reporting `before`, then one verify step. */
function verifyRun(verify: { metric: string; operator: VerifyOperator; value: JsonValue }, output: JsonValue, before: JsonValue[] = []): Run {
  const diagnose = before.map((_, i) => ({ label: `Look ${i + 1}`, ref: `look${i + 1}`, type: 'diagnose', tool: 'probe' }));
  let { run } = begin({ name: 'Verify', audience: 'agentic', steps: [...diagnose, { label: 'Check', ref: 'check', type: 'verify', tool: 'probe', verify }] });
  for (const out of before) run = apply(run, toolResult(run, true, out));
  return apply(run, toolResult(run, true, output), NOW + 3 * SEC);
}

describe('verifyResultText', () => {
  it('shows the metric before and after the change, with the condition, on a passed verify', () => {
    expect(resultOf(diskCleanupRun())).toBe('disk_usage_percent 94.2 → 71 (< 90 ✓)');
  });

  it('marks a failed verify with ✗', () => {
    const run = diskCleanupRun({ after: { disk_usage_percent: 93.5 } });
    expect(run.status).toBe('failed');
    expect(resultOf(run)).toBe('disk_usage_percent 94.2 → 93.5 (< 90 ✗)');
  });

  it('shows the value alone when no earlier step recorded the metric', () => {
    expect(resultOf(diskCleanupRun({ before: { used_gb: 180 } }))).toBe('disk_usage_percent 71 (< 90 ✓)');
    expect(resultOf(verifyRun({ metric: 'free_gb', operator: 'gt', value: 10 }, { free_gb: 42 }), 'rbs_check')).toBe('free_gb 42 (> 10 ✓)');
  });

  it('takes the baseline from the latest earlier step that has the metric', () => {
    const run = verifyRun({ metric: 'load', operator: 'lt', value: 2 }, { load: 0.5 }, [{ load: 9 }, { other: 1 }, { load: 4.25 }, { nothing: true }]);
    expect(resultOf(run, 'rbs_check')).toBe('load 4.25 → 0.5 (< 2 ✓)');
  });

  it('ignores steps that finished after the verify step', () => {
    const def = {
      name: 'After',
      audience: 'agentic',
      steps: [
        { label: 'Before', type: 'diagnose', tool: 'probe' },
        { label: 'Check', type: 'verify', tool: 'probe', verify: { metric: 'load', operator: 'lt', value: 2 } },
        { label: 'Later', type: 'diagnose', tool: 'probe' },
      ],
    };
    let { run } = begin(def);
    for (const load of [3, 1, 7]) run = apply(run, toolResult(run, true, { load }));
    expect(run.status).toBe('completed');
    expect(resultOf(run, 'rbs_2')).toBe('load 3 → 1 (< 2 ✓)');
  });

  it('reads a dotted metric path, through objects and arrays', () => {
    const run = verifyRun(
      { metric: 'mounts.0.usage.percent', operator: 'lt', value: 90 },
      { mounts: [{ usage: { percent: 71 } }] },
      [{ mounts: [{ usage: { percent: 94.2 } }, { usage: { percent: 10 } }] }],
    );
    expect(resultOf(run, 'rbs_check')).toBe('mounts.0.usage.percent 94.2 → 71 (< 90 ✓)');
  });

  it.each<[VerifyOperator, JsonValue, JsonValue, string]>([
    ['eq', 'running', { service_status: 'running' }, 'service_status `"running"` (= `"running"` ✓)'],
    ['ne', 'stopped', { service_status: 'stopped' }, 'service_status `"stopped"` (≠ `"stopped"` ✗)'],
    ['gt', 10, { service_status: 3 }, 'service_status 3 (> 10 ✗)'],
    ['eq', true, { service_status: false }, 'service_status false (= true ✗)'],
    ['contains', 'nginx', { service_status: ['nginx', 'redis'] }, 'service_status `["nginx","redis"]` (contains `"nginx"` ✓)'],
    ['lt', 90, { other: 1 }, 'service_status missing (< 90 ✗)'],
  ])('shows operator %s with value %j on output %j as %s', (operator, value, output, expected) => {
    expect(resultOf(verifyRun({ metric: 'service_status', operator, value }, output), 'rbs_check')).toBe(expected);
  });

  it('escapes what the tool reported and cuts long values, keeping the mark', () => {
    const evil = '<!channel> <@U123> <http://x|y>';
    const run = verifyRun({ metric: 'status', operator: 'eq', value: 'ok' }, { status: `${evil} ${'&'.repeat(200)}` }, [{ status: evil }]);
    const text = resultOf(run, 'rbs_check')!;
    expect(text.startsWith('status `"&lt;!channel&gt; &lt;@U123&gt; &lt;http://x|y&gt;"` → `"&lt;!channel&gt; &lt;@U123&gt; &lt;http://x|y&gt; &amp;')).toBe(true);
    expect(text.endsWith('…` (= `"ok"` ✗)')).toBe(true);
    for (const raw of ['<!channel>', '<@U123>', '<http://x|y>']) expect(text).not.toContain(raw);
    expect(text).not.toMatch(/&(?!(amp|lt|gt);)/);
    expect(text.length).toBeLessThan(700);
  });

  it('is null for a step that is not a verify step, and for a verify step still trying or skipped', () => {
    const run = diskCleanupRun();
    expect(resultOf(run, 'rbs_1')).toBeNull();
    expect(resultOf(run, 'rbs_4')).toBeNull();
    const verify = { metric: 'a', operator: 'eq', value: 1, retry: { interval_seconds: 5, timeout_seconds: 60 } };
    let { run: trying } = begin({ name: 'V', audience: 'agentic', steps: [{ label: 'Check', type: 'verify', tool: 'probe', verify, required: false }] });
    expect(resultOf(trying, 'rbs_1')).toBeNull();
    trying = apply(trying, toolResult(trying, true, { a: 2 }));
    expect(trying.steps[0]).toMatchObject({ status: 'active', tool_output: { a: 2 } });
    expect(resultOf(trying, 'rbs_1')).toBeNull();
    trying = apply(trying, { type: 'skip', actor: alice });
    expect(trying.steps[0]!.status).toBe('skipped');
    expect(resultOf(trying, 'rbs_1')).toBeNull();
  });

  it('is null for a verify step a person did, or whose tool failed without output', () => {
    const def = (audience: string) => ({ name: 'V', audience, steps: [{ label: 'Check', type: 'verify', tool: 'probe', verify: { metric: 'a', operator: 'eq', value: 1 } }] });
    const manual = apply(begin(def('human')).run, { type: 'advance', actor: alice, outcome: 'pass' });
    expect(resultOf(manual, 'rbs_1')).toBeNull();
    const { run } = begin(def('agentic'));
    const failed = apply(run, toolResult(run, false, null, 'device did not answer'));
    expect(resultOf(failed, 'rbs_1')).toBeNull();
  });
});

describe('formatMetricValue and operatorSymbol', () => {
  it.each<[JsonValue | undefined, string]>([
    [71, '71'],
    [94.2, '94.2'],
    [-0.5, '-0.5'],
    [true, 'true'],
    [null, 'null'],
    ['running', '`"running"`'],
    ['', '`""`'],
    ['a`b', '`"aˋb"`'],
    [{ a: 1 }, '`{"a":1}`'],
    [undefined, 'missing'],
  ])('shows %j as %s', (value, expected) => {
    expect(formatMetricValue(value)).toBe(expected);
  });

  it.each<[VerifyOperator, string]>([
    ['lt', '<'],
    ['gt', '>'],
    ['eq', '='],
    ['ne', '≠'],
    ['contains', 'contains'],
  ])('shows %s as %s', (operator, symbol) => {
    expect(operatorSymbol(operator)).toBe(symbol);
  });
});

describe('toolCallText', () => {
  it('names the tool in code, with the number of calls of a verify that retried', () => {
    const verify = { metric: 'status', operator: 'eq', value: 200, retry: { interval_seconds: 5, timeout_seconds: 60 } };
    let { run } = begin({ name: 'R', audience: 'agentic', steps: [{ label: 'Up?', type: 'verify', tool: 'http_check', verify }] });
    expect(toolCallText(run.runbook.steps[0]!, run.steps[0]!)).toBe('`http_check`');
    for (const [i, status] of [503, 503, 200].entries()) {
      if (run.wait) run = apply(run, waitElapsed(run), NOW + i * 5 * SEC);
      run = apply(run, toolResult(run, true, { status }), NOW + i * 5 * SEC);
    }
    expect(run.status).toBe('completed');
    expect(toolCallText(run.runbook.steps[0]!, run.steps[0]!)).toBe('`http_check` (3 tries)');
  });
});

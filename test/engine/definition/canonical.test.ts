import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, parseDefinition, parseDefinitionText, toYaml, type RunbookSource } from '../../../src/engine/definition/index.js';
import { AUDIENCES, ON_FAILURE, SEVERITIES, VERIFY_OPERATORS, type JsonObject, type JsonValue } from '../../../src/engine/types.js';
import { fixtureText, sourceOf } from './helpers.js';

describe('canonicalJson', () => {
  it('gives the same text whatever the key order, at every depth', () => {
    const a = { b: 1, a: { d: [{ y: 1, x: 2 }], c: null } };
    const b = { a: { c: null, d: [{ x: 2, y: 1 }] }, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":{"c":null,"d":[{"x":2,"y":1}]},"b":1}');
  });

  it('keeps list order, which is meaningful', () => {
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
  });

  it('drops undefined members like JSON.stringify', () => {
    expect(canonicalJson({ a: undefined, b: 'x' })).toBe('{"b":"x"}');
  });

  it('tells an imported file from an unchanged one by content only', () => {
    const yaml = sourceOf(parseYaml('name: N\nsteps:\n  - {label: a, type: check}\n'));
    const json = sourceOf(JSON.parse('{"steps": [{"type": "check", "label": "a"}], "name": "N"}'));
    expect(canonicalJson(yaml)).toBe(canonicalJson(json));
  });
});

function parseYaml(text: string): unknown {
  const result = parseDefinitionText(text, 'yaml');
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.source;
}

describe('toYaml', () => {
  it('writes keys in reading order', () => {
    const source: RunbookSource = {
      steps: [{ next_on_outcome: { done: null }, instruction: 'Do it.', type: 'check', ref: 'only', label: 'Only' }],
      variables: [{ default: 'x', name: 'v' }],
      audience: 'hybrid',
      name: 'Ordered',
    };
    expect(toYaml(source)).toBe(
      [
        'name: Ordered',
        'audience: hybrid',
        'variables:',
        '  - name: v',
        '    default: x',
        'steps:',
        '  - label: Only',
        '    ref: only',
        '    type: check',
        '    instruction: Do it.',
        '    next_on_outcome:',
        '      done: null',
        '',
      ].join('\n'),
    );
  });

  it.each([
    'design-deploy-to-production.yaml',
    'minolith-deploy-to-production.yaml',
    'playbook-disk-cleanup.json',
    'playbook-service-restart.json',
    'playbook-memory-pressure-relief.json',
  ])('round-trips %s through YAML to an equal source', (file) => {
    const first = parseDefinitionText(fixtureText(file), 'auto');
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(parseDefinitionText(toYaml(first.source), 'yaml')).toEqual(first);
  });

  it('round-trips any valid source through YAML and JSON to an equal source', () => {
    fc.assert(
      fc.property(validSource(), (source) => {
        expect(parseDefinition(source)).toEqual({ ok: true, source });
        expect(parseDefinitionText(toYaml(source), 'yaml')).toEqual({ ok: true, source });
        expect(parseDefinitionText(canonicalJson(source), 'json')).toEqual({ ok: true, source });
      }),
      { numRuns: 200 },
    );
  }, 30_000);
});

// ---- generators for valid sources --------------------------------------------------------

// Characters YAML treats specially, mixed with any Unicode, so quoting and block styles get exercised.
const tricky = fc.constantFrom(' ', '\n', '\t', ':', ': ', '#', ' #', '- ', '"', "'", '{', '}', '[', ']', '&', '*', '!', '|', '>', '%', '@', '`', '\r', '\\', '~', 'null', 'true', '0x1', '1e3');
const char = fc.oneof(tricky, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }));
const text = (maxLength: number, minLength = 0) => fc.string({ unit: char, minLength, maxLength }).filter((s) => s.length <= maxLength && s.length >= minLength);
const slug = fc.stringMatching(/^[a-z0-9-]{1,12}$/);
const jsonKey = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_ -]{0,8}$/).filter((key) => key !== '__proto__');

const { json } = fc.letrec<{ json: JsonValue }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
    text(20),
    fc.array(tie('json'), { maxLength: 3 }),
    fc.dictionary(jsonKey, tie('json'), { maxKeys: 3, noNullPrototype: true }),
  ),
}));
const jsonObject: fc.Arbitrary<JsonObject> = fc.dictionary(jsonKey, json, { maxKeys: 3, noNullPrototype: true });

const tool = fc.stringMatching(/^[a-z0-9_.-]{1,20}$/);
const approvers = fc.array(fc.stringMatching(/^[UWS][A-Z0-9]{2,10}$/), { maxLength: 3 });
const verify = fc.record(
  {
    metric: fc.stringMatching(/^[A-Za-z0-9_-]{1,8}(\.[A-Za-z0-9_-]{1,8}){0,2}$/),
    operator: fc.constantFrom(...VERIFY_OPERATORS),
    value: json,
    retry: fc.integer({ min: 1, max: 600 }).chain((interval) => fc.record({ interval_seconds: fc.constant(interval), timeout_seconds: fc.integer({ min: interval, max: 3600 }) })),
  },
  { requiredKeys: ['metric', 'operator', 'value'] },
);

const optional = { requiredKeys: ['type'] as 'type'[] };
const typeFields = fc.oneof(
  fc.constant({} as { type?: undefined }),
  fc.record({ type: fc.constantFrom('action' as const, 'check' as const) }),
  fc.record({ type: fc.constant('gate' as const), approvers, allow_self_approval: fc.boolean() }, optional),
  fc.record({ type: fc.constant('wait' as const), wait_seconds: fc.integer({ min: 1, max: 604_800 }) }),
  fc.record({ type: fc.constant('diagnose' as const), tool, tool_input: jsonObject }, { requiredKeys: ['type', 'tool'] }),
  fc.record({ type: fc.constant('act' as const), tool, tool_input: jsonObject, approvers }, { requiredKeys: ['type', 'tool'] }),
  fc.record({ type: fc.constant('verify' as const), tool, tool_input: jsonObject, verify }, { requiredKeys: ['type', 'tool', 'verify'] }),
  fc.record({ type: fc.constant('rollback' as const), tool }, optional),
  fc.constant({ type: 'branch' as const }),
);

const commonFields = fc.record(
  {
    label: text(40, 1),
    instruction: text(80),
    required: fc.boolean(),
    on_failure: fc.constantFrom(...ON_FAILURE),
    timeout_seconds: fc.integer({ min: 1, max: 86_400 }),
    metadata: jsonObject,
  },
  { requiredKeys: ['label'] },
);

// Names and wiring drawn per step: targets point at steps that have a ref or an id, and
// next_default only ever restates the default, so every step stays reachable.
const stepPlan = fc.record({
  common: commonFields,
  typed: typeFields,
  naming: fc.constantFrom('ref', 'id', 'both', 'none'),
  explicitDefault: fc.boolean(),
  outcomes: fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z0-9_-]{1,10}$/).filter((key) => key !== '__proto__'), fc.option(fc.nat(), { nil: null })), { maxLength: 3, selector: ([key]) => key }),
});

type StepPlan = typeof stepPlan extends fc.Arbitrary<infer T> ? T : never;

function buildSteps(plans: StepPlan[]): RunbookSource['steps'] {
  const named = plans.map((plan, i) => ({
    ref: plan.naming === 'ref' || plan.naming === 'both' ? `s${i}` : undefined,
    id: plan.naming === 'id' || plan.naming === 'both' ? `rbs_${String(i).padStart(12, '0')}` : undefined,
  }));
  const targetable = named.flatMap((n) => (n.ref ? [`step:${n.ref}`] : n.id ? [n.id] : []));
  const targetOf = (i: number) => (named[i]?.ref ? `step:${named[i].ref}` : (named[i]?.id ?? null));
  return plans.map((plan, i) => {
    const step: Record<string, unknown> = { ...plan.common, ...plan.typed, ...withoutUndefined(named[i] ?? {}) };
    if (plan.explicitDefault) step.next_default = i + 1 < plans.length ? (targetOf(i + 1) ?? undefined) : null;
    if (step.next_default === undefined) delete step.next_default;
    const outcomes = plan.outcomes.map(([key, pick]) => [key, pick === null || targetable.length === 0 ? null : targetable[pick % targetable.length]]);
    if (plan.typed.type === 'branch' && outcomes.length === 0) outcomes.push(['go', null]);
    if (outcomes.length > 0) step.next_on_outcome = Object.fromEntries(outcomes);
    return step as RunbookSource['steps'][number];
  });
}

function withoutUndefined(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

function validSource(): fc.Arbitrary<RunbookSource> {
  const variable = fc.record(
    { name: fc.stringMatching(/^[A-Za-z0-9_]{1,10}$/).filter((name) => name !== '__proto__'), description: text(40), required: fc.boolean(), default: text(20) },
    { requiredKeys: ['name'] },
  );
  return fc
    .record(
      {
        name: text(60, 1),
        description: text(200),
        category: slug,
        tags: fc.array(slug, { maxLength: 4 }),
        scope: fc.oneof(fc.constant('global' as const), fc.record({ company: text(20, 1) })),
        audience: fc.constantFrom(...AUDIENCES),
        required_permissions: fc.array(fc.stringMatching(/^[a-z0-9_-]{1,8}:[a-z0-9_*-]{1,8}$/), { maxLength: 3 }),
        variables: fc.uniqueArray(variable, { maxLength: 4, selector: (v) => v.name }),
        trigger: fc.record(
          {
            alert_types: fc.array(text(20, 1), { maxLength: 2 }),
            device_tags: fc.array(text(20, 1), { maxLength: 2 }),
            min_severity: fc.constantFrom(...SEVERITIES),
            channels: fc.array(fc.stringMatching(/^[CGD][A-Z0-9]{2,10}$/), { maxLength: 2 }),
            auto_execute: fc.boolean(),
          },
          { requiredKeys: [] },
        ),
        steps: fc.array(stepPlan, { minLength: 1, maxLength: 6 }).map(buildSteps),
      },
      { requiredKeys: ['name', 'steps'] },
    )
    .map((source) => source as RunbookSource);
}

import { describe, expect, it } from 'vitest';
import { formatProblem, parseDefinition, parseDefinitionText } from '../../../src/engine/definition/index.js';
import { formatPath } from '../../../src/engine/definition/problems.js';
import { linesOf, minimal, oneStep } from './helpers.js';

describe('formatProblem', () => {
  it('joins the path and the message with a colon', () => {
    expect(formatProblem({ path: 'steps[3].next_on_outcome.fail', message: 'unknown step ref "fx"' })).toBe(
      'steps[3].next_on_outcome.fail: unknown step ref "fx"',
    );
  });

  it.each([
    [[], '(document)'],
    [['name'], 'name'],
    [['steps', 3, 'next_on_outcome', 'fail'], 'steps[3].next_on_outcome.fail'],
    [['steps', 0, 'tool_input', 'a.b'], 'steps[0].tool_input["a.b"]'],
  ])('formats the path %j as %s', (path, expected) => {
    expect(formatPath(path)).toBe(expected);
  });
});

describe('unknown keys', () => {
  it.each([
    ['at the top', minimal({ owner: 'ops' }), 'owner: unknown key "owner"'],
    ['on a step', oneStep({ color: 'red' }), 'steps[0].color: unknown key "color"'],
    ['on a variable', minimal({ variables: [{ name: 'v', secret: true }] }), 'variables[0].secret: unknown key "secret"'],
    ['in a trigger', minimal({ trigger: { cron: '* * * * *' } }), 'trigger.cron: unknown key "cron"'],
    ['in a verify retry', oneStep({ type: 'verify', tool: 't', verify: { metric: 'm', operator: 'eq', value: 1, retry: { interval_seconds: 1, timeout_seconds: 2, tries: 3 } } }), 'steps[0].verify.retry.tries: unknown key "tries"'],
    ['in a company scope', minimal({ scope: { company: 'acme', region: 'eu' } }), 'scope.region: unknown key "region"'],
  ])('names an unknown key %s', (_where, definition, expected) => {
    expect(linesOf(definition)).toEqual([expected]);
  });

  it('suggests the snake_case key for a camelCase one it knows', () => {
    expect(linesOf(oneStep({ nextDefault: null }))).toEqual(['steps[0].nextDefault: unknown key "nextDefault" (did you mean "next_default"?)']);
  });

  it('reports each unknown key on its own', () => {
    expect(linesOf(minimal({ a: 1, b: 2 }))).toEqual(['a: unknown key "a"', 'b: unknown key "b"']);
  });
});

describe('rules that depend on the step type', () => {
  const verify = { metric: 'disk_usage_percent', operator: 'lt', value: 90 };
  it.each([
    ['wait_seconds on an action', { wait_seconds: 5 }, 'steps[0].wait_seconds: is only allowed on wait steps (this step is action)'],
    ['a wait without wait_seconds', { type: 'wait' }, 'steps[0].wait_seconds: is required on wait steps'],
    ['a diagnose step without a tool', { type: 'diagnose' }, 'steps[0].tool: is required on diagnose steps'],
    ['an act step without a tool', { type: 'act' }, 'steps[0].tool: is required on act steps'],
    ['a verify step without verify', { type: 'verify', tool: 'analyze_disk_usage' }, 'steps[0].verify: is required on verify steps'],
    ['verify on an act step', { type: 'act', tool: 'disk_cleanup', verify }, 'steps[0].verify: is only allowed on verify steps (this step is act)'],
    ['a tool on a check step', { type: 'check', tool: 'ping' }, 'steps[0].tool: is only allowed on diagnose, act, verify, rollback steps (this step is check)'],
    ['tool_input on a gate', { type: 'gate', tool_input: { a: 1 } }, 'steps[0].tool_input: is only allowed on diagnose, act, verify, rollback steps (this step is gate)'],
    ['tool_input on a rollback without a tool', { type: 'rollback', tool_input: { a: 1 } }, 'steps[0].tool_input: needs a tool on the same step'],
    ['approvers on a wait step', { type: 'wait', wait_seconds: 5, approvers: ['U012AB3CD'] }, 'steps[0].approvers: is only allowed on gate, act steps (this step is wait)'],
    ['allow_self_approval on a check step', { type: 'check', allow_self_approval: false }, 'steps[0].allow_self_approval: is only allowed on gate, act steps (this step is check)'],
    ['a branch without next_on_outcome', { type: 'branch' }, 'steps[0].next_on_outcome: is required on branch steps'],
    ['a branch with no outcomes', { type: 'branch', next_on_outcome: {} }, 'steps[0].next_on_outcome: must route at least one outcome on branch steps'],
    ['a retry that ends before its first interval', { type: 'verify', tool: 't', verify: { ...verify, retry: { interval_seconds: 10, timeout_seconds: 5 } } }, 'steps[0].verify.retry.timeout_seconds: must be at least interval_seconds (10)'],
  ])('rejects %s', (_what, fields, expected) => {
    expect(linesOf(oneStep(fields))).toEqual([expected]);
  });

  it.each([
    ['a manual rollback step', { type: 'rollback' }],
    ['a rollback step with a tool', { type: 'rollback', tool: 'run_command', tool_input: { cmd: 'undo' } }],
    ['approvers on an act step', { type: 'act', tool: 'disk_cleanup', approvers: ['U012AB3CD'], allow_self_approval: false }],
    ['a gate without approvers', { type: 'gate' }],
    ['a verify step with a retry', { type: 'verify', tool: 't', verify: { metric: 'm', operator: 'eq', value: { nested: [1, 'x', null] }, retry: { interval_seconds: 5, timeout_seconds: 5 } } }],
  ])('accepts %s', (_what, fields) => {
    expect(linesOf(oneStep(fields))).toEqual([]);
  });
});

describe('graph checks', () => {
  it('names an unknown step ref with the path of the target', () => {
    const definition = minimal({
      steps: [
        { label: 'Pull' },
        { label: 'Build' },
        { label: 'Fix', ref: 'fix' },
        { label: 'Test', type: 'check', next_on_outcome: { pass: null, fail: 'step:fx' } },
      ],
    });
    expect(linesOf(definition)).toEqual(['steps[3].next_on_outcome.fail: unknown step ref "fx"']);
  });

  it('names an unknown step id in next_default', () => {
    expect(linesOf(minimal({ steps: [{ label: 'a', next_default: 'rbs_000000000000' }, { label: 'b' }] }))).toEqual([
      'steps[0].next_default: unknown step id "rbs_000000000000"',
    ]);
  });

  it('accepts a target given as the id of another step', () => {
    const definition = minimal({ steps: [{ label: 'a', next_default: 'rbs_bbbbbbbbbbbb' }, { label: 'skipped', type: 'rollback' }, { label: 'b', id: 'rbs_bbbbbbbbbbbb' }] });
    expect(linesOf(definition)).toEqual([]);
  });

  it('rejects a ref used by two steps', () => {
    expect(linesOf(minimal({ steps: [{ label: 'a', ref: 'x' }, { label: 'b', ref: 'x' }] }))).toEqual(['steps[1].ref: duplicate ref "x" (also steps[0].ref)']);
  });

  it('rejects an id used by two steps', () => {
    const id = 'rbs_aaaaaaaaaaaa';
    expect(linesOf(minimal({ steps: [{ label: 'a', id }, { label: 'b', id }] }))).toEqual([`steps[1].id: duplicate id "${id}" (also steps[0].id)`]);
  });

  it('rejects a step after an explicit end that nothing routes to', () => {
    expect(linesOf(minimal({ steps: [{ label: 'a', next_default: null }, { label: 'Orphan' }] }))).toEqual([
      'steps[1]: step "Orphan" can never be reached from the first step',
    ]);
  });

  it('rejects a step that a jump passes over', () => {
    const definition = minimal({ steps: [{ label: 'a', next_default: 'step:c' }, { label: 'b' }, { label: 'c', ref: 'c' }] });
    expect(linesOf(definition)).toEqual(['steps[1]: step "b" can never be reached from the first step']);
  });

  it('accepts a step reached only through an outcome', () => {
    const definition = minimal({
      steps: [{ label: 'Decide', type: 'branch', next_on_outcome: { big: 'step:big', small: null } }, { label: 'Big', ref: 'big' }],
    });
    expect(linesOf(definition)).toEqual([]);
  });

  it('does not require rollback steps to be reachable', () => {
    const definition = minimal({
      steps: [{ label: 'Act', type: 'act', tool: 'x', on_failure: 'rollback', next_default: null }, { label: 'Undo', type: 'rollback' }],
    });
    expect(linesOf(definition)).toEqual([]);
  });

  it('passes through a rollback step in normal flow, following only its default wiring', () => {
    const through = minimal({ steps: [{ label: 'a' }, { label: 'Undo', type: 'rollback' }, { label: 'b' }] });
    expect(linesOf(through)).toEqual([]);
    const outcomeOnly = minimal({
      steps: [{ label: 'a' }, { label: 'Undo', type: 'rollback', next_default: null, next_on_outcome: { done: 'step:b' } }, { label: 'b', ref: 'b' }],
    });
    expect(linesOf(outcomeOnly)).toEqual(['steps[2]: step "b" can never be reached from the first step']);
  });

  it('reports every problem at once, from the schema and the graph', () => {
    const definition = {
      name: '',
      tags: ['Bad Tag'],
      color: 'blue',
      steps: [
        { label: 'a', type: 'wait' },
        { label: 'b', ref: 'b', next_on_outcome: { fail: 'step:nowhere' } },
        { label: 'c', ref: 'b' },
      ],
    };
    expect(linesOf(definition)).toEqual([
      'name: must not be empty',
      'tags[0]: must use only lowercase letters, digits and "-"',
      'steps[0].wait_seconds: is required on wait steps',
      'color: unknown key "color"',
      'steps[2].ref: duplicate ref "b" (also steps[1].ref)',
      'steps[1].next_on_outcome.fail: unknown step ref "nowhere"',
    ]);
  });

  it('drops a "__proto__" key from a map, as zod does, instead of letting it change a prototype', () => {
    const result = parseDefinition(JSON.parse('{"name": "p", "steps": [{"label": "a", "next_on_outcome": {"__proto__": null, "ok": null}}]}'));
    expect(result.ok && result.source.steps[0]?.next_on_outcome).toEqual({ ok: null });
    expect(Object.getPrototypeOf(result.ok && result.source.steps[0]?.next_on_outcome)).toBe(Object.prototype);
  });

  it('does not flag placeholders that name no declared variable', () => {
    const definition = oneStep({ type: 'diagnose', instruction: 'On {{deviceId}}', tool: 'x', tool_input: { device: '{deviceId}' } });
    expect(linesOf(definition)).toEqual([]);
  });
});

describe('parseDefinitionText', () => {
  it('reads YAML', () => {
    const result = parseDefinitionText('name: Y\nsteps:\n  - label: One\n', 'yaml');
    expect(result).toEqual({ ok: true, source: { name: 'Y', steps: [{ label: 'One' }] } });
  });

  it('reads JSON', () => {
    const result = parseDefinitionText('{"name": "J", "steps": [{"label": "One"}]}', 'json');
    expect(result).toEqual({ ok: true, source: { name: 'J', steps: [{ label: 'One' }] } });
  });

  it('guesses JSON from a leading brace and YAML otherwise', () => {
    expect(parseDefinitionText('  {"name": "J", "steps": [{"label": "One"}]}', 'auto').ok).toBe(true);
    expect(parseDefinitionText('name: Y\nsteps: [{label: One}]\n', 'auto').ok).toBe(true);
  });

  it('reports a YAML syntax error with its line', () => {
    const result = parseDefinitionText('name: Y\nsteps:\n  - label: One\n   bad: [\n', 'yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]).toEqual({ path: '(document)', message: 'YAML syntax error at line 4, column 1: Sequence item without - indicator' });
  });

  it('reports only the first YAML error and hints at quoting a placeholder inside a flow mapping', () => {
    const yaml = 'name: Y\nsteps:\n  - {label: Deploy, instruction: Deploy {version} to {environment}.}\n';
    const result = parseDefinitionText(yaml, 'yaml');
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      '(document): YAML syntax error at line 3, column 41: Unexpected flow-map-start at node end (in YAML, quote text that contains a {placeholder} inside {…} or starts with "{")',
    ]);
  });

  it('hints at quoting when a value that starts with a placeholder became an object', () => {
    const result = parseDefinitionText('name: Y\nsteps:\n  - label: Deploy\n    instruction: {version}\n', 'yaml');
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      'steps[0].instruction: must be a string (got an object); in YAML, quote text that starts with "{"',
    ]);
  });

  it('reports a repeated YAML key as a syntax error', () => {
    const result = parseDefinitionText('name: A\nname: B\nsteps: [{label: x}]\n', 'yaml');
    expect(result).toEqual({ ok: false, problems: [{ path: '(document)', message: 'YAML syntax error at line 2, column 1: Map keys must be unique' }] });
  });

  // The reason after the colon is V8's own wording, which changes between Node versions.
  it('reports a JSON syntax error with its line and column', () => {
    const result = parseDefinitionText('{\n  "name": "J",\n}\n', 'json');
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([expect.stringMatching(/^\(document\): JSON syntax error at line 3, column 1: \S/)]);
  });

  it('reports truncated JSON at its last line', () => {
    const result = parseDefinitionText('{\n  "name": "J",', 'json');
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([expect.stringMatching(/^\(document\): JSON syntax error at line 2, column 15: \S/)]);
  });

  it.each(['yaml', 'json'] as const)('reports an empty %s document', (format) => {
    expect(parseDefinitionText('  \n', format)).toEqual({ ok: false, problems: [{ path: '(document)', message: 'is empty; expected a runbook definition' }] });
  });

  it('validates what it read like parseDefinition does', () => {
    const yaml = 'name: Y\nsteps:\n  - {label: a, next_on_outcome: {fail: step:fx}}\n';
    expect(parseDefinitionText(yaml, 'yaml')).toEqual(parseDefinition({ name: 'Y', steps: [{ label: 'a', next_on_outcome: { fail: 'step:fx' } }] }));
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { compileRunbook, formatProblem, parseDefinition } from '../../src/engine/definition/index.js';
import { diffRunbooks, formatDiff, isEmptyDiff, type RunbookDiff } from '../../src/engine/runbook-diff.js';
import type { CompiledRunbook } from '../../src/engine/types.js';

/** Compiles with readable, stable step ids: `rbs_<ref>`, else `rbs_<label in snake case>`. */
function compiled(definition: Record<string, unknown>): CompiledRunbook {
  const parsed = parseDefinition({ name: 'Deploy', ...definition });
  if (!parsed.ok) throw new Error(parsed.problems.map(formatProblem).join('\n'));
  return compileRunbook(parsed.source, (step) => `rbs_${step.ref ?? step.label.toLowerCase().replace(/\W+/g, '_')}`);
}

const base = {
  description: 'Standard deployment.',
  tags: ['production'],
  steps: [
    { label: 'Pull', instruction: 'Pull {version}.' },
    { label: 'Test', type: 'check', ref: 'tests' },
    { label: 'Deploy', ref: 'deploy' },
  ],
};
const v1 = compiled(base);

const empty: RunbookDiff = { fields: [], steps_added: [], steps_removed: [], steps_changed: [], moved: [] };

describe('diffRunbooks', () => {
  it('finds nothing between a version and itself', () => {
    const diff = diffRunbooks(v1, structuredClone(v1));

    expect(diff).toEqual(empty);
    expect(isEmptyDiff(diff)).toBe(true);
    expect(formatDiff(diff)).toBe('no differences');
  });

  it.each([
    ['description', { description: 'Faster.' }, 'Standard deployment.', 'Faster.'],
    ['tags', { tags: ['production', 'release'] }, ['production'], ['production', 'release']],
    ['audience', { audience: 'hybrid' }, 'human', 'hybrid'],
    ['scope', { scope: { company: 'acme' } }, { type: 'global' }, { type: 'company', company: 'acme' }],
    [
      'variables',
      { variables: [{ name: 'version', required: true }] },
      [],
      [{ name: 'version', description: '', required: true, default: null }],
    ],
  ])('reports a changed %s with its old and new value', (field, change, from, to) => {
    const diff = diffRunbooks(v1, compiled({ ...base, ...change }));

    expect(diff).toEqual({ ...empty, fields: [{ field, from, to }] });
  });

  it('reports an added step with its position, and the step before it now routing to it', () => {
    const v2 = compiled({ ...base, steps: [...base.steps, { label: 'Announce' }] });

    const diff = diffRunbooks(v1, v2);

    expect(diff.steps_added).toEqual([{ id: 'rbs_announce', position: 4, label: 'Announce' }]);
    expect(diff.steps_changed).toEqual([
      { id: 'rbs_deploy', label: 'Deploy', position: 3, fields: [{ field: 'next_default', from: null, to: 'rbs_announce' }] },
    ]);
    expect(diff.moved).toEqual([]);
  });

  it('reports a removed step at its old position, without calling the shifted steps moved', () => {
    const v2 = compiled({ ...base, steps: [base.steps[1], base.steps[2]] });

    const diff = diffRunbooks(v1, v2);

    expect(diff.steps_removed).toEqual([{ id: 'rbs_pull', position: 1, label: 'Pull' }]);
    expect(diff.steps_added).toEqual([]);
    expect(diff.moved).toEqual([]);
  });

  it('matches steps by id, so a relabelled step is changed rather than removed and added', () => {
    const v2 = compiled({ ...base, steps: [base.steps[0], { ...base.steps[1], label: 'Run all tests', type: 'action' }, base.steps[2]] });

    const diff = diffRunbooks(v1, v2);

    expect(diff.steps_changed).toEqual([
      {
        id: 'rbs_tests',
        label: 'Run all tests',
        position: 2,
        fields: [
          { field: 'label', from: 'Test', to: 'Run all tests' },
          { field: 'type', from: 'check', to: 'action' },
        ],
      },
    ]);
    expect(diff.steps_added).toEqual([]);
    expect(diff.steps_removed).toEqual([]);
  });

  it('compares tool input and metadata deeply, whatever the key order', () => {
    const tool = (tool_input: Record<string, unknown>) =>
      compiled({ steps: [{ label: 'Check', type: 'diagnose', tool: 'disk', tool_input }] });

    expect(diffRunbooks(tool({ a: 1, b: { c: 2, d: 3 } }), tool({ b: { d: 3, c: 2 }, a: 1 }))).toEqual(empty);
    expect(diffRunbooks(tool({ a: 1 }), tool({ a: 2 })).steps_changed[0]?.fields).toEqual([
      { field: 'tool_input', from: { a: 1 }, to: { a: 2 } },
    ]);
  });

  it('lists a step whose order changed among the kept steps as moved', () => {
    const v2 = compiled({ ...base, steps: [base.steps[2], base.steps[0], base.steps[1]] });

    const diff = diffRunbooks(v1, v2);

    expect(diff.moved).toEqual([{ id: 'rbs_deploy', label: 'Deploy', from: 3, to: 1 }]);
  });
});

describe('formatDiff', () => {
  it('prints one line per change', () => {
    const v2 = compiled({
      ...base,
      description: 'Faster.',
      steps: [{ label: 'Deploy', ref: 'deploy' }, { label: 'Test', type: 'check', ref: 'tests', instruction: 'Run it.' }, { label: 'Announce' }],
    });

    expect(formatDiff(diffRunbooks(v1, v2)).split('\n')).toEqual([
      '~ description: "Standard deployment." → "Faster."',
      '- step 1 "Pull" (rbs_pull) removed',
      '+ step 3 "Announce" (rbs_announce) added',
      '↕ step "Deploy" (rbs_deploy) moved from 3 to 1',
      '~ step 1 "Deploy" (rbs_deploy):',
      '    next_default: null → "rbs_tests"',
      '~ step 2 "Test" (rbs_tests):',
      '    instruction: "" → "Run it."',
      '    next_default: "rbs_deploy" → "rbs_announce"',
    ]);
  });

  it('shortens long values', () => {
    const long = 'x'.repeat(500);
    const text = formatDiff(diffRunbooks(v1, compiled({ ...base, description: long })));

    expect(text.length).toBeLessThan(300);
    expect(text).toContain('…');
  });
});

describe('diffRunbooks over random edits', () => {
  const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
  const withSteps = (order: string[]): CompiledRunbook => ({
    ...v1,
    steps: order.map((id, i) => ({ ...(v1.steps[0] as CompiledRunbook['steps'][number]), id, label: id, position: i + 1, next_default: null })),
  });
  const version = fc.shuffledSubarray(ids, { minLength: 1 });

  it('accounts for every step exactly once, and moves nothing when the kept order is unchanged', () => {
    fc.assert(
      fc.property(version, version, (before, after) => {
        const diff = diffRunbooks(withSteps(before), withSteps(after));
        const kept = after.filter((id) => before.includes(id));

        expect(diff.steps_added.map((s) => s.id)).toEqual(after.filter((id) => !before.includes(id)));
        expect(diff.steps_removed.map((s) => s.id)).toEqual(before.filter((id) => !after.includes(id)));
        const keptInOldOrder = before.filter((id) => after.includes(id));
        expect(diff.moved.length === 0).toBe(keptInOldOrder.join() === kept.join());
        expect(diff.moved.length).toBeLessThan(Math.max(kept.length, 1));
      }),
    );
  });
});

// The store's pure helpers: step id reuse across versions, slugs, the version cache.
import { describe, expect, it } from 'vitest';

import type { StepSource } from '../../src/engine/definition/index.js';
import type { CompiledStep } from '../../src/engine/types.js';
import { slugify } from '../../src/models/runbook-records.js';
import { createLru } from '../../src/lru.js';
import { assignStepIds } from '../../src/models/runbook-versions.js';

const old = (id: string, label: string, ref: string | null = null) => ({ id, label, ref }) as CompiledStep;

function freshIds(): () => string {
  let n = 0;
  return () => `rbs_new${++n}`;
}

describe('assignStepIds', () => {
  const previous = [old('rbs_1', 'Pull'), old('rbs_2', 'Test', 'tests'), old('rbs_3', 'Deploy', 'deploy')];

  it('keeps ids for steps with the same ref or label, and gives new steps fresh ones', () => {
    const steps: StepSource[] = [{ label: 'Deploy', ref: 'deploy' }, { label: 'Announce' }, { label: 'Pull' }, { label: 'Run all tests', ref: 'tests' }];

    expect(assignStepIds(steps, previous, freshIds())).toEqual(['rbs_3', 'rbs_new1', 'rbs_1', 'rbs_2']);
  });

  it('lets a ref match win over an earlier label match for the same old step', () => {
    const steps: StepSource[] = [{ label: 'Test' }, { label: 'Checks', ref: 'tests' }];

    expect(assignStepIds(steps, previous, freshIds())).toEqual(['rbs_new1', 'rbs_2']);
  });

  it('gives each old id to one step only when labels repeat', () => {
    const steps: StepSource[] = [{ label: 'Pull' }, { label: 'Pull' }];

    expect(assignStepIds(steps, previous, freshIds())).toEqual(['rbs_1', 'rbs_new1']);
  });

  it('keeps explicit ids and does not hand them out again', () => {
    const steps: StepSource[] = [{ label: 'Pull', id: 'rbs_aaaaaaaaaaaa' }, { label: 'Other', id: 'rbs_1' }, { label: 'Pull' }];

    expect(assignStepIds(steps, previous, freshIds())).toEqual(['rbs_aaaaaaaaaaaa', 'rbs_1', 'rbs_new1']);
  });
});

describe('slugify', () => {
  it.each([
    ['Deploy to Production', 'deploy-to-production'],
    ['  Flush: Cache!! ', 'flush-cache'],
    ['Café Reboot', 'cafe-reboot'],
    ['日本語', 'runbook'],
    ['x'.repeat(300), 'x'.repeat(100)],
  ])('%j → %j', (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });
});

describe('createLru', () => {
  it('drops the least recently used entry when full', () => {
    const lru = createLru<number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    lru.get('a');
    lru.set('c', 3);

    expect([lru.get('a'), lru.get('b'), lru.get('c'), lru.size]).toEqual([1, undefined, 3, 2]);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { transition } from '../../src/engine/index.js';
import { applyRunDocPatch, runDocPatch, toRunDoc } from '../../src/models/run-codec.js';
import { NOW, alice, begin } from '../engine/support/runbook.js';
import { DRIVERS, commandFrom, definitionArb, seedArb } from '../engine/support/random-runs.js';

describe('run document patches', () => {
  it('turn the stored run before a transition into the stored run after it, naming only the steps that differ', () => {
    fc.assert(
      fc.property(definitionArb, fc.constantFrom(...DRIVERS), fc.array(seedArb, { maxLength: 30 }), (definition, driver, seeds) => {
        let { run } = begin(definition, {}, alice, driver);
        let now = NOW;
        for (const seed of seeds) {
          now += 1_000;
          const result = transition(run, commandFrom(seed, run), { now });
          if (!result.ok || result.duplicate) continue;
          const before = toRunDoc(run);
          const after = toRunDoc(result.run);
          const patch = runDocPatch(run, result.run);
          expect(applyRunDocPatch(before, patch)).toEqual(after);
          for (const { i } of patch.steps) expect(after.steps[i]).not.toEqual(before.steps[i]);
          for (const key of Object.keys(patch.set)) expect(after[key as keyof typeof after]).not.toEqual(before[key as keyof typeof before]);
          run = result.run;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('leaves out a step that was copied with equal values in new objects', () => {
    const { run } = begin({ name: 'Copy', steps: [{ label: 'One' }, { label: 'Two' }] }, {}, alice);
    const copy = { ...run, steps: run.steps.map((s) => structuredClone(s)) };
    expect(runDocPatch(run, copy)).toEqual({ set: {}, steps: [] });
    const changed = { ...copy, steps: [copy.steps[0]!, { ...copy.steps[1]!, notes: 'later' }] };
    expect(runDocPatch(run, changed).steps.map((s) => s.i)).toEqual([1]);
  });
});

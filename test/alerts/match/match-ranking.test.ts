import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareMatches, matchPlaybooks, severityRank, type MatchCandidate } from '../../../src/alerts/match/index.js';
import { SEVERITIES, type Scope } from '../../../src/engine/types.js';
import { alert, candidate, context } from './support/match-fixtures.js';

const ranked = (list: MatchCandidate[], ctx = context()) => matchPlaybooks(alert({ severity: 'high' }), list, ctx).map((m) => m.candidate.name);

describe('matchPlaybooks ranking', () => {
  it('orders several matches by type, then tags, then severity, then name', () => {
    const list = [
      candidate('Broad', { alert_types: ['service_down', 'high_cpu'], device_tags: ['web', 'linux'], min_severity: 'high' }),
      candidate('Plain'),
      candidate('beta'),
      candidate('Floor low', { min_severity: 'low' }),
      candidate('Floor high', { min_severity: 'high' }),
      candidate('Alpha'),
      candidate('One tag', { device_tags: ['web'] }),
      candidate('Two tags', { device_tags: ['web', 'linux'] }),
    ];
    expect(ranked(list)).toEqual(['Two tags', 'One tag', 'Floor high', 'Floor low', 'Alpha', 'beta', 'Plain', 'Broad']);
  });

  it('ranks a trigger for fewer alert types above a broader one, whatever its tags', () => {
    const list = [candidate('Broad', { alert_types: ['high_cpu', 'service_down'], device_tags: ['web'] }), candidate('Specific')];
    expect(ranked(list)).toEqual(['Specific', 'Broad']);
  });

  it('ranks a trigger whose tags match above one without tags', () => {
    expect(ranked([candidate('Any device'), candidate('Web only', { device_tags: ['web'] })])).toEqual(['Web only', 'Any device']);
  });

  it('breaks ties by name, ignoring case', () => {
    expect(ranked([candidate('charlie'), candidate('Bravo'), candidate('alpha')])).toEqual(['alpha', 'Bravo', 'charlie']);
  });

  it("puts the company's own playbook before a global one of the same name", () => {
    const own = candidate('Restart', {}, { runbook_id: 'rnb_zzzzzzzzzzzz', scope: { type: 'company', company: 'acme' } });
    const global = candidate('Restart', {}, { runbook_id: 'rnb_aaaaaaaaaaaa' });
    const out = matchPlaybooks(alert(), [global, own], context());
    expect(out.map((m) => m.candidate)).toEqual([own, global]);
  });

  it('gives the same order whatever order the candidates come in', () => {
    const list = [candidate('A', { min_severity: 'low' }), candidate('B', { device_tags: ['web'] }), candidate('C'), candidate('D')];
    expect(ranked([...list].reverse())).toEqual(ranked(list));
  });
});

const TYPES = ['service_down', 'high_cpu', 'disk_full'] as const;
const TAGS = ['web', 'db', 'linux'] as const;
const CHANNELS = ['C0AAAAAAA', 'C0BBBBBBB'] as const;

// Weighted towards what can match (published, with a trigger, few restrictions), or most
// runs would check the property on empty results only.
const often = <T,>(usual: fc.Arbitrary<T>, rare: fc.Arbitrary<T>) => fc.oneof({ arbitrary: usual, weight: 3 }, { arbitrary: rare, weight: 1 });

const scopeArb = often<Scope>(
  fc.constant({ type: 'global' }),
  fc.constantFrom('acme', 'globex').map((company) => ({ type: 'company' as const, company })),
);

const triggerArb = fc.record({
  alert_types: fc.subarray([...TYPES], { minLength: 1 }),
  device_tags: often<string[]>(fc.constant([]), fc.subarray([...TAGS], { minLength: 1 })),
  min_severity: fc.option(fc.constantFrom(...SEVERITIES), { nil: null }),
  channels: often<string[]>(fc.constant([]), fc.subarray([...CHANNELS], { minLength: 1 })),
  auto_execute: fc.boolean(),
});

const candidatesArb = fc
  .array(
    fc.record({
      name: fc.constantFrom('Alpha', 'alpha', 'Beta', 'Gamma'), // few names: ties must still sort stably
      version: fc.integer({ min: 1, max: 3 }),
      scope: scopeArb,
      trigger: fc.option(triggerArb, { nil: null, freq: 8 }),
      status: often(fc.constant('published' as const), fc.constantFrom('draft' as const, 'archived' as const)),
    }),
    { maxLength: 12 },
  )
  .map((list) => list.map((c, i): MatchCandidate => ({ ...c, runbook_id: `rnb_${String(i).padStart(12, '0')}`, variables: [] })));

const caseArb = fc.record({
  alert: fc.record({ type: fc.constantFrom(...TYPES), severity: fc.constantFrom(...SEVERITIES) }).map((a) => alert(a)),
  candidates: candidatesArb,
  ctx: fc.record({
    channel: fc.option(fc.constantFrom(...CHANNELS), { nil: null }),
    deviceTags: fc.option(fc.subarray([...TAGS]), { nil: null }),
    company: fc.option(fc.constantFrom('acme', 'globex'), { nil: null }),
  }),
});

describe('matchPlaybooks properties', () => {
  it('returns a sorted subset of the candidates, none with a severity floor above the alert', () => {
    let withSeveral = 0; // proof the property was not checked on empty results only
    fc.assert(
      fc.property(caseArb, ({ alert: a, candidates, ctx }) => {
        const out = matchPlaybooks(a, candidates, ctx);
        const picked = out.map((m) => m.candidate);
        if (out.length > 1) withSeveral++;
        expect(picked.every((c) => candidates.includes(c))).toBe(true);
        expect(new Set(picked).size).toBe(picked.length);
        expect([...out].sort(compareMatches)).toEqual(out);
        for (const { candidate: c } of out) {
          const floor = c.trigger?.min_severity ?? null;
          expect(floor === null || severityRank(floor) <= severityRank(a.severity)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
    expect(withSeveral).toBeGreaterThan(50);
  });
});

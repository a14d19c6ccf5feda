import { describe, expect, it } from 'vitest';
import { compileRunbook, type RunbookSource, type StepSource } from '../../../src/engine/definition/index.js';
import { minimal, oneStep, sourceOf } from './helpers.js';

// Readable ids: rbs_<ref> or rbs_<position>, like the engine tests use.
const byRef = (step: StepSource, index: number) => `rbs_${step.ref ?? index + 1}`;
const compile = (definition: unknown) => compileRunbook(sourceOf(definition), byRef);
const wiring = (definition: unknown) =>
  compile(definition).steps.map((s) => ({ id: s.id, next_default: s.next_default, next_on_outcome: s.next_on_outcome }));

describe('compileRunbook defaults', () => {
  it('fills every runbook default', () => {
    const { steps, ...runbook } = compile(minimal());
    expect(runbook).toEqual({
      name: 'Minimal',
      description: '',
      category: null,
      tags: [],
      scope: { type: 'global' },
      audience: 'human',
      required_permissions: [],
      variables: [],
      trigger: null,
      timeout_seconds: null,
    });
    expect(steps).toEqual([
      {
        id: 'rbs_1',
        ref: null,
        position: 1,
        label: 'Only step',
        instruction: '',
        type: 'action',
        required: true,
        next_default: null,
        next_on_outcome: null,
        approvers: [],
        allow_self_approval: true,
        approvals_required: 1,
        approval_timeout_seconds: null,
        on_timeout: null,
        escalation_channel: null,
        wait_seconds: null,
        tool: null,
        tool_input: null,
        verify: null,
        on_failure: 'stop',
        timeout_seconds: null,
        metadata: null,
      },
    ]);
  });

  it('fills variable, trigger and verify defaults', () => {
    const compiled = compile(
      minimal({
        variables: [{ name: 'version' }],
        trigger: { alert_types: ['service_down'] },
        steps: [{ label: 'Check', type: 'verify', tool: 'http_check', verify: { metric: 'status', operator: 'eq', value: 200 } }],
      }),
    );
    expect(compiled.variables).toEqual([{ name: 'version', description: '', required: false, default: null }]);
    expect(compiled.trigger).toEqual({ alert_types: ['service_down'], device_tags: [], min_severity: null, channels: [], auto_execute: false });
    expect(compiled.steps[0]?.verify).toEqual({ metric: 'status', operator: 'eq', value: 200, retry: null });
  });

  it('turns a company scope into a tagged scope', () => {
    expect(compile(minimal({ scope: { company: 'acme' } })).scope).toEqual({ type: 'company', company: 'acme' });
    expect(compile(minimal({ scope: 'global' })).scope).toEqual({ type: 'global' });
  });

  it('keeps what the author wrote over the defaults', () => {
    const step = compile(oneStep({ type: 'gate', instruction: 'Approve?', required: false, approvers: ['U012AB3CD'], allow_self_approval: false, on_failure: 'continue', timeout_seconds: 60, metadata: { team: 'sre' } })).steps[0];
    expect(step).toMatchObject({ type: 'gate', instruction: 'Approve?', required: false, approvers: ['U012AB3CD'], allow_self_approval: false, on_failure: 'continue', timeout_seconds: 60, metadata: { team: 'sre' } });
  });
});

describe('compileRunbook wiring', () => {
  it('wires a step without next_default to the next by position and the last to the end', () => {
    expect(wiring(minimal({ steps: [{ label: 'a' }, { label: 'b' }, { label: 'c' }] }))).toEqual([
      { id: 'rbs_1', next_default: 'rbs_2', next_on_outcome: null },
      { id: 'rbs_2', next_default: 'rbs_3', next_on_outcome: null },
      { id: 'rbs_3', next_default: null, next_on_outcome: null },
    ]);
  });

  it('keeps an explicit null as the end of the run', () => {
    const definition = minimal({ steps: [{ label: 'a', next_default: null, next_on_outcome: { more: 'step:b', stop: null } }, { label: 'b', ref: 'b' }] });
    expect(wiring(definition)[0]).toEqual({ id: 'rbs_1', next_default: null, next_on_outcome: { more: 'rbs_b', stop: null } });
  });

  it('resolves step:ref and step ids to step ids', () => {
    const definition = minimal({
      steps: [
        { label: 'a', type: 'branch', next_on_outcome: { left: 'step:left', right: 'rbs_r1ght0000000' } },
        { label: 'Left', ref: 'left', next_default: 'rbs_r1ght0000000' },
        { label: 'Right', id: 'rbs_r1ght0000000', next_default: 'step:left' },
      ],
    });
    expect(wiring(definition)).toEqual([
      { id: 'rbs_1', next_default: 'rbs_left', next_on_outcome: { left: 'rbs_left', right: 'rbs_r1ght0000000' } },
      { id: 'rbs_left', next_default: 'rbs_r1ght0000000', next_on_outcome: null },
      { id: 'rbs_r1ght0000000', next_default: 'rbs_left', next_on_outcome: null },
    ]);
  });

  it('asks for ids only for steps without one, with their zero-based index', () => {
    const asked: [string, number][] = [];
    const compiled = compileRunbook(sourceOf(minimal({ steps: [{ label: 'a' }, { label: 'b', id: 'rbs_bbbbbbbbbbbb' }, { label: 'c' }] })), (step, index) => {
      asked.push([step.label, index]);
      return `rbs_gen${index}`;
    });
    expect(asked).toEqual([['a', 0], ['c', 2]]);
    expect(compiled.steps.map((s) => [s.id, s.position])).toEqual([['rbs_gen0', 1], ['rbs_bbbbbbbbbbbb', 2], ['rbs_gen2', 3]]);
  });

  it('does not share objects with the source', () => {
    const source = sourceOf(oneStep({ type: 'diagnose', tool: 'x', tool_input: { nested: { a: 1 } }, metadata: { list: [1] } }));
    const step = compileRunbook(source, byRef).steps[0];
    expect(step?.tool_input).toEqual(source.steps[0]?.tool_input);
    expect(step?.tool_input).not.toBe(source.steps[0]?.tool_input);
    expect(step?.metadata?.list).not.toBe(source.steps[0]?.metadata?.list);
  });

  it('throws on a target that does not resolve, which only an unvalidated source has', () => {
    const unvalidated: RunbookSource = { name: 'x', steps: [{ label: 'a', next_default: 'step:nowhere' }] };
    expect(() => compileRunbook(unvalidated, byRef)).toThrow(/unresolved step target "step:nowhere"/);
  });
});

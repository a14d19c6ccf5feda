import { describe, expect, it } from 'vitest';
import { APPLIED_KEYS_WINDOW, transition } from '../../src/engine/index.js';
import { NOW, alice, begin, bob, current, done, refused, step } from './support/runbook.js';

const linear = { name: 'L', variables: [{ name: 'version', required: true, description: 'Release version' }], steps: [{ label: 'One' }, { label: 'Two' }, { label: 'Three' }] };

describe('idempotency keys', () => {
  it('applies a command once however often its key is sent', () => {
    const { run } = begin(linear, { version: '1' });
    const first = transition(run, { type: 'advance', actor: alice, key: 'slack-1700000000.123' }, { now: NOW });
    expect(first.ok && !first.duplicate).toBe(true);
    if (!first.ok) return;
    const again = transition(first.run, { type: 'advance', actor: bob, key: 'slack-1700000000.123' }, { now: NOW + 1 });
    expect(again).toEqual({ ok: true, run: first.run, effects: [], duplicate: true, audit: null });
    expect(current(first.run)).toBe('2');
  });

  it('does not remember the key of a refused command', () => {
    const { run } = begin(linear, { version: '1' });
    refused(run, { type: 'resume', actor: alice, key: 'k1' }, 'conflict');
    expect(step(run, { type: 'advance', actor: alice, key: 'k1' }).run.applied_keys).toEqual(['k1']);
  });
});

describe('stale commands', () => {
  it('refuses a command aimed at a step that is no longer current', () => {
    const { run } = step(begin(linear, { version: '1' }).run, done());
    expect(refused(run, { type: 'advance', actor: alice, step_id: 'rbs_1', visit: 1 }, 'conflict')).toContain('no longer the current step');
  });

  it('refuses a command aimed at an earlier visit of the current step', () => {
    const loop = { name: 'L', steps: [{ label: 'Check', type: 'check', next_on_outcome: { fail: 'step:1' } }] };
    const def = { ...loop, steps: [{ ...loop.steps[0], ref: '1' }] };
    const { run } = step(begin(def).run, { type: 'advance', actor: alice, outcome: 'fail' });
    expect(run.current_step_id).toBe('rbs_1');
    expect(refused(run, { type: 'advance', actor: alice, step_id: 'rbs_1', visit: 1 }, 'conflict')).toContain('visit 1');
    expect(step(run, { type: 'advance', actor: alice, step_id: 'rbs_1', visit: 2, outcome: 'ok' }).run.status).toBe('completed');
  });
});

describe('command validation', () => {
  it.each([
    [{ type: 'advance', actor: alice, outcome: 'Not Allowed' }, 'outcome'],
    [{ type: 'advance', actor: alice, outcome: 'x'.repeat(101) }, 'outcome'],
    [{ type: 'advance', actor: alice, notes: 'n'.repeat(10_001) }, 'notes'],
    [{ type: 'advance', actor: alice, output: { blob: 'x'.repeat(51 * 1024) } }, 'output'],
    [{ type: 'advance', actor: { kind: 'robot', id: 'x' } }, 'actor.kind'],
    [{ type: 'teleport', actor: alice }, 'type'],
  ])('refuses %j and names %s', (command, field) => {
    const { run } = begin(linear, { version: '1' });
    expect(refused(run, command as never, 'validation')).toContain(field);
  });

  it('refuses to skip a required step', () => {
    expect(refused(begin(linear, { version: '1' }).run, { type: 'skip', actor: alice }, 'validation')).toContain('required');
  });
});

describe('variables', () => {
  it('names a missing required variable with its description', () => {
    expect(() => begin(linear)).toThrow('missing required variable "version" (Release version)');
  });

  it('names an unknown variable and lists the known ones', () => {
    expect(() => begin(linear, { version: '1', colour: 'red' })).toThrow('unknown variable "colour" (this runbook takes: version)');
  });

  it('keeps variable values exactly as given', () => {
    const { run } = begin(linear, { version: '<!channel> {{x}} $1' });
    expect(run.variables).toEqual({ version: '<!channel> {{x}} $1' });
  });
});

describe('audit trail', () => {
  it('returns one entry per applied command: who, what, when, from where, the status change', () => {
    const started = begin(linear, { version: '1' });
    const { run, audit } = step(started.run, { type: 'advance', actor: bob, key: 'k', source: 'slack:C1', notes: 'ok', outcome: 'done' }, NOW + 5);
    expect(audit).toEqual({ seq: 2, at: NOW + 5, actor: bob, source: 'slack:C1', command: 'advance', key: 'k', step_id: 'rbs_1', visit: 1, outcome: 'done', notes: 'ok', from_status: 'running', to_status: 'running' });
    expect(run.audit_seq).toBe(2);
  });

  it('writes no entry for a refused or duplicate command', () => {
    const { run } = step(begin(linear, { version: '1' }).run, { type: 'advance', actor: bob, key: 'k' });
    const again = transition(run, { type: 'advance', actor: bob, key: 'k' }, { now: NOW });
    expect(again.ok && again.audit).toBeNull();
    expect(run.audit_seq).toBe(2);
  });
});

describe('idempotency key window', () => {
  it(`keeps the last ${APPLIED_KEYS_WINDOW} keys on the run and says when older ones left`, () => {
    const loop = { name: 'L', steps: [{ label: 'Check', ref: 'c', type: 'check', next_on_outcome: { again: 'step:c' } }] };
    let { run } = begin(loop);
    for (let i = 0; i <= APPLIED_KEYS_WINDOW; i += 1) run = step(run, { type: 'advance', actor: alice, outcome: 'again', key: `k${i}` }).run;
    expect(run.applied_keys).toHaveLength(APPLIED_KEYS_WINDOW);
    expect(run.applied_keys[0]).toBe('k1');
    expect(run.keys_evicted).toBe(true);
  });
});

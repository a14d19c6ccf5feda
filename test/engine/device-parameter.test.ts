// The device is a parameter of the run: given with the start (or as a deviceId variable, as
// people and alerts write it), kept on the run as device_id, filling a declared deviceId
// variable, standing in for {{deviceId}}, and refused where it makes no sense.
import { describe, expect, it } from 'vitest';

import { createRun, resolveDevice, startInputs, startRun, transition, type Effect } from '../../src/engine/index.js';
import { NOW, alice, snapshot, system } from './support/runbook.js';

/** Reference 001's Service Restart as written there: no step names {{deviceId}}. */
const serviceRestart = snapshot({
  name: 'Service Restart',
  requiredPermissions: ['devices:execute'],
  steps: [
    { type: 'diagnose', name: 'Check', description: 'Status of {{serviceName}} on {{deviceId}}.', tool: 'manage_services', toolInput: { service: '{{serviceName}}', action: 'status' } },
    { type: 'act', name: 'Restart', description: 'Restart it.', tool: 'manage_services', toolInput: { service: '{{serviceName}}', action: 'restart', where: '{deviceId}' } },
  ],
});
// The instruction names {{deviceId}}, so 001's format declares it: only tool inputs count here.
const undeclared = { ...serviceRestart, variables: serviceRestart.variables.filter((v) => v.name !== 'deviceId') };
const declaring = snapshot({
  name: 'Disk',
  audience: 'agentic',
  variables: [{ name: 'deviceId', required: true }, { name: 'path', default: '/' }],
  steps: [{ label: 'Measure', type: 'diagnose', tool: 'analyze_disk_usage', tool_input: { path: '{path}' } }],
});
const byDefault = snapshot({
  name: 'Home lab',
  audience: 'agentic',
  variables: [{ name: 'deviceId', default: ' lab-01 ' }],
  steps: [{ label: 'Look', type: 'diagnose', tool: 'analyze_metrics' }],
});
const byHand = snapshot({ name: 'By hand', steps: [{ label: 'Look', type: 'diagnose', tool: 'analyze_metrics' }] });
const noTools = snapshot({ name: 'Checklist', variables: [{ name: 'ticket' }], steps: [{ label: 'Read the ticket' }] });

let rrs = 0;
const ctx = { now: NOW, ids: () => `rrs_${String(++rrs).padStart(12, '0')}` };
const start = (runbook: typeof declaring, variables: Record<string, string>, device?: string) =>
  startRun({ id: 'run_test00000000', runbook, variables, started_by: alice, ...(device === undefined ? {} : { device }) }, ctx);

describe('resolveDevice and createRun', () => {
  it('runs a playbook that does not declare deviceId on the device given, which is no variable of it', () => {
    expect(undeclared.variables.map((v) => v.name)).toEqual(['serviceName']);
    const started = start(undeclared, { serviceName: 'nginx' }, 'web-01');
    if (!started.ok) throw new Error(started.error.message);
    expect(started.run.device_id).toBe('web-01');
    expect(started.run.variables).toEqual({ serviceName: 'nginx' });
  });

  it('takes the device from a deviceId among the variables (Slack’s device=), trimmed, and leaves it out of them', () => {
    expect(resolveDevice(undeclared, { serviceName: 'nginx', deviceId: ' web-02 ' })).toEqual({ ok: true, device: 'web-02', variables: { serviceName: 'nginx' } });
    expect(resolveDevice(undeclared, { serviceName: 'nginx' })).toEqual({ ok: true, device: null, variables: { serviceName: 'nginx' } });
  });

  it('fills a declared deviceId variable with the device, or takes the device from it or its default', () => {
    expect(resolveDevice(declaring, { path: '/srv' }, 'web-03')).toEqual({ ok: true, device: 'web-03', variables: { path: '/srv', deviceId: 'web-03' } });
    expect(resolveDevice(declaring, { deviceId: 'web-04' })).toEqual({ ok: true, device: 'web-04', variables: { deviceId: 'web-04' } });
    const started = start(byDefault, {});
    expect(started.ok && [started.run.device_id, started.run.variables.deviceId]).toEqual(['lab-01', ' lab-01 ']);
    // Declared and required: missing is the variables' own refusal, as before.
    expect(start(declaring, {})).toMatchObject({ ok: false, error: { code: 'validation', message: 'missing required variable "deviceId"' } });
  });

  it('accepts the same device given both ways, and refuses two different ones', () => {
    expect(resolveDevice(declaring, { deviceId: 'web-05' }, 'web-05')).toMatchObject({ ok: true, device: 'web-05' });
    expect(start(undeclared, { serviceName: 'nginx', deviceId: 'web-06' }, 'web-07')).toMatchObject({
      ok: false,
      error: { code: 'validation', message: 'the device is given twice and differently: web-07, and web-06 as the deviceId variable' },
    });
  });

  it('refuses a device for a runbook without tool steps, and an over-long one', () => {
    expect(start(noTools, {}, 'web-01')).toMatchObject({ ok: false, error: { message: '“Checklist” has no tool steps, so it runs on no device' } });
    expect(start(noTools, { deviceId: 'web-01' })).toMatchObject({ ok: false, error: { message: '“Checklist” has no tool steps, so it runs on no device' } });
    expect(resolveDevice(undeclared, {}, 'x'.repeat(1001))).toEqual({ ok: false, problems: ['the device id must be at most 1000 characters (got 1001)'] });
    const run = createRun({ id: 'run_test00000001', runbook: noTools, variables: { ticket: 'T-1' }, started_by: alice }, ctx);
    expect(run.ok && run.run.device_id).toBeNull();
  });

  it('gives a human runbook with tool steps the device too (Run tool runs there)', () => {
    const started = start(byHand, { deviceId: 'desk-01' });
    expect(started.ok && started.run.device_id).toBe('desk-01');
  });
});

describe('{{deviceId}} in tool inputs', () => {
  it('stands for the run’s device when the runbook does not declare it', () => {
    const started = start(undeclared, { serviceName: 'nginx' }, 'web-09');
    if (!started.ok) throw new Error(started.error.message);
    const toolInputs = (effects: Effect[]) => effects.flatMap((e) => (e.type === 'runTool' ? [e.input] : []));
    expect(toolInputs(started.effects)).toEqual([{ service: 'nginx', action: 'status' }]);
    const check = started.run.steps[0]!;
    const next = transition(started.run, { type: 'tool_result', actor: system, step_id: check.step_id, visit: check.visit, ok: true, output: {} }, { now: NOW });
    if (!next.ok) throw new Error(next.error.message);
    expect(toolInputs(next.effects)).toEqual([{ service: 'nginx', action: 'restart', where: 'web-09' }]);
  });
});

describe('startInputs', () => {
  it('asks for the device of a runbook that runs tools without declaring it: required, or optional for a person’s runbook', () => {
    expect(startInputs(undeclared).map((v) => [v.name, v.required])).toEqual([
      ['serviceName', true],
      ['deviceId', true],
    ]);
    expect(startInputs(byHand)).toEqual([{ name: 'deviceId', description: 'Device whose runner may run the tool steps (optional)', required: false, default: null }]);
    expect(startInputs(declaring)).toBe(declaring.variables);
    expect(startInputs(noTools)).toBe(noTools.variables);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { variablesFromAlert } from '../../../src/alerts/match/index.js';
import { compileRunbook } from '../../../src/engine/definition/index.js';
import { VARIABLE_VALUE_MAX_CHARS, type VariableDef } from '../../../src/engine/index.js';
import { readBuiltinPlaybooks } from '../../../src/models/builtin-playbook-files.js';

const instanceDown = {
  labels: { alertname: 'InstanceDown', instance: 'web-01:9100', job: 'nginx', severity: 'critical' },
};

const variable = (name: string, overrides: Partial<VariableDef> = {}): VariableDef => ({
  name,
  description: '',
  required: true,
  default: null,
  ...overrides,
});

describe('variablesFromAlert with the built-in playbooks', () => {
  let builtins: Map<string, VariableDef[]>;
  beforeAll(async () => {
    const { playbooks } = await readBuiltinPlaybooks();
    builtins = new Map(playbooks.map((p) => [p.key, compileRunbook(p.source, (_s, i) => `rbs_${i}`).variables]));
  });

  it('reads the variables the playbooks declare', () => {
    const all = [...builtins.values()].flat().map((v) => v.name);
    expect(new Set(all)).toEqual(new Set(['deviceId', 'serviceName', 'path']));
  });

  it.each([
    ['service-restart', { deviceId: 'web-01', serviceName: 'nginx' }],
    ['memory-pressure-relief', { deviceId: 'web-01', serviceName: 'nginx' }],
    // path has a default (/): the engine fills it, so it is neither given nor missing.
    ['disk-cleanup', { deviceId: 'web-01' }],
  ])('fills %s from an InstanceDown alert', (key, expected) => {
    const result = variablesFromAlert(instanceDown, builtins.get(key) ?? [], 'web-01');
    expect(result).toEqual({ values: expected, missing: [] });
  });

  it('fills the same variables for all three playbooks together', () => {
    const all = [...builtins.values()].flat();
    expect(variablesFromAlert(instanceDown, all, 'web-01').values).toEqual({ deviceId: 'web-01', serviceName: 'nginx' });
  });
});

describe('variablesFromAlert: where a value comes from', () => {
  it.each<[string, Record<string, string>, string | null, string, string | undefined]>([
    ['a label with the exact name', { serviceName: 'api', service: 'web' }, null, 'serviceName', 'api'],
    ['a label of another case', { SERVICENAME: 'api', service: 'web' }, null, 'serviceName', 'api'],
    ['the service alias', { service: 'api', job: 'node' }, null, 'serviceName', 'api'],
    ['the service_name alias', { service_name: 'api' }, null, 'serviceName', 'api'],
    ['the job alias, last among the service names', { job: 'api' }, null, 'serviceName', 'api'],
    ['the mountpoint alias', { mountpoint: '/var' }, null, 'path', '/var'],
    ['the resolved target for deviceId, never a label', { hostname: 'db-02', deviceId: 'dev-7' }, 'web-01', 'deviceId', 'web-01'],
    ['nothing for deviceId without a target, whatever the labels say', { hostname: 'db-02', deviceId: 'dev-7', host: 'x' }, null, 'deviceId', undefined],
    ['the target for a variable spelled like a device alias', { node: 'n1' }, 'web-01', 'hostname', 'web-01'],
    ['aliases for a variable spelled like an alias', { job: 'api' }, null, 'service', 'api'],
    ['nothing: instance carries a port, so it is no device', { instance: 'web-01:9100' }, null, 'deviceId', undefined],
    ['nothing for an unrelated variable', { job: 'api' }, 'web-01', 'version', undefined],
  ])('takes %s', (_name, labels, device, name, expected) => {
    expect(variablesFromAlert({ labels }, [variable(name)], device).values[name]).toBe(expected);
  });

  it('trims values and skips labels that are blank', () => {
    const result = variablesFromAlert({ labels: { serviceName: '   ', service: '  api \n' } }, [variable('serviceName')], null);
    expect(result.values).toEqual({ serviceName: 'api' });
  });

  it('cuts long values to the length the engine accepts', () => {
    const result = variablesFromAlert({ labels: { service: 'x'.repeat(VARIABLE_VALUE_MAX_CHARS + 50) } }, [variable('serviceName')], null);
    expect(result.values.serviceName).toBe('x'.repeat(VARIABLE_VALUE_MAX_CHARS));
  });

  it('never cuts a character in half', () => {
    const value = `${'x'.repeat(VARIABLE_VALUE_MAX_CHARS - 1)}😀`;
    const cut = variablesFromAlert({ labels: { service: value } }, [variable('serviceName')], null).values.serviceName ?? '';
    expect(cut).toBe('x'.repeat(VARIABLE_VALUE_MAX_CHARS - 1));
  });

  it('gives values only for declared variables', () => {
    const result = variablesFromAlert(instanceDown, [variable('serviceName')], 'web-01');
    expect(Object.keys(result.values)).toEqual(['serviceName']);
  });
});

describe('variablesFromAlert: missing variables', () => {
  it('reports required variables without a default that got no value', () => {
    const defs = [variable('deviceId'), variable('version'), variable('region', { default: 'eu' }), variable('note', { required: false })];
    const result = variablesFromAlert({ labels: {} }, defs, 'web-01');
    expect(result).toEqual({ values: { deviceId: 'web-01' }, missing: [defs[1]] });
  });

  it('reports deviceId missing when the alert names no device for sure', () => {
    expect(variablesFromAlert({ labels: { job: 'nginx', host: 'web-01' } }, [variable('deviceId')], null).missing.map((v) => v.name)).toEqual(['deviceId']);
  });

  it('asks for a device variable without a target even when it has a default or is optional', () => {
    const defs = [variable('deviceId', { default: 'bastion-01' }), variable('device_id', { required: false })];
    expect(variablesFromAlert({ labels: {} }, defs, null)).toEqual({ values: {}, missing: defs });
    expect(variablesFromAlert({ labels: {} }, defs, 'db-01')).toEqual({ values: { deviceId: 'db-01', device_id: 'db-01' }, missing: [] });
  });
});

import { describe, expect, it } from 'vitest';
import { fromPlaybookFormat, isPlaybookFormat } from '../../../src/engine/definition/index.js';
import { linesOf, sourceOf } from './helpers.js';

describe('isPlaybookFormat', () => {
  it.each([
    ['triggerConditions', { name: 'p', triggerConditions: {}, steps: [] }, true],
    ['requiredPermissions', { name: 'p', requiredPermissions: [], steps: [] }, true],
    ['isActive', { name: 'p', isActive: true, steps: [] }, true],
    ['a step with toolInput', { name: 'p', steps: [{ label: 'x', toolInput: {} }] }, true],
    ['a step with waitSeconds', { name: 'p', steps: [{ label: 'x', waitSeconds: 3 }] }, true],
    ['a step with verifyCondition', { name: 'p', steps: [{ label: 'x', verifyCondition: {} }] }, true],
    ['a step with onFailure', { name: 'p', steps: [{ label: 'x', onFailure: 'stop' }] }, true],
    ['a step with a name and no label', { name: 'p', steps: [{ name: 'x' }] }, true],
    ['a snake_case runbook', { name: 'p', required_permissions: [], steps: [{ label: 'x', tool_input: {} }] }, false],
    ['a step with both name and label', { name: 'p', steps: [{ name: 'x', label: 'x' }] }, false],
    ['something that is not an object', 'playbook', false],
    ['a list', [{ isActive: true }], false],
  ])('says %s is %s', (_what, input, expected) => {
    expect(isPlaybookFormat(input)).toBe(expected);
  });
});

describe('fromPlaybookFormat', () => {
  it('maps every playbook field to its snake_case name', () => {
    const playbook = {
      name: 'Custom',
      description: 'Restart and check.',
      category: 'service',
      requiredPermissions: ['devices:execute'],
      isActive: false,
      triggerConditions: { alertTypes: ['service_down'], deviceTags: ['web'], autoExecute: true, minSeverity: 'high' },
      steps: [
        { type: 'act', name: 'Restart', description: 'Restart it.', tool: 'manage_services', toolInput: { serviceName: '{{serviceName}}' }, onFailure: 'rollback' },
        { type: 'wait', name: 'Settle', description: 'Wait.', waitSeconds: 5 },
        { type: 'verify', name: 'Check', description: 'Check.', tool: 'manage_services', verifyCondition: { metric: 'service_status', operator: 'eq', value: 'running' } },
        { type: 'rollback', name: 'Undo', description: 'Start the old version.', tool: 'manage_services', toolInput: { action: 'start' } },
      ],
    };
    expect(fromPlaybookFormat(playbook)).toEqual({
      name: 'Custom',
      description: 'Restart and check.',
      category: 'service',
      required_permissions: ['devices:execute'],
      audience: 'agentic',
      variables: [{ name: 'serviceName', description: 'used by this playbook', required: true }],
      trigger: { alert_types: ['service_down'], device_tags: ['web'], auto_execute: true, min_severity: 'high' },
      steps: [
        { type: 'act', label: 'Restart', instruction: 'Restart it.', tool: 'manage_services', tool_input: { serviceName: '{{serviceName}}' }, on_failure: 'rollback' },
        { type: 'wait', label: 'Settle', instruction: 'Wait.', wait_seconds: 5 },
        { type: 'verify', label: 'Check', instruction: 'Check.', tool: 'manage_services', verify: { metric: 'service_status', operator: 'eq', value: 'running' } },
        { type: 'rollback', label: 'Undo', instruction: 'Start the old version.', tool: 'manage_services', tool_input: { action: 'start' } },
      ],
    });
    expect(linesOf(playbook)).toEqual([]);
  });

  it('keeps variables the playbook declares instead of deriving them from placeholders', () => {
    const declared = [{ name: 'serviceName', description: 'Service to restart', required: true }];
    const source = sourceOf({ name: 'p', variables: declared, steps: [{ type: 'act', name: 'x', tool: 't', toolInput: { s: '{{serviceName}}', d: '{{deviceId}}' } }] });
    expect(source.variables).toEqual(declared);
  });

  it('keeps an audience the playbook already states', () => {
    expect(sourceOf({ name: 'p', audience: 'hybrid', isActive: true, steps: [{ name: 'x', description: 'y' }] }).audience).toBe('hybrid');
  });

  it('leaves camelCase keys it does not know for the validator to name', () => {
    const playbook = { name: 'p', isActive: true, steps: [{ type: 'act', name: 'x', tool: 't', retryCount: 3 }] };
    expect(linesOf(playbook)).toEqual(['steps[0].retryCount: unknown key "retryCount"']);
  });

  it('does not drop a key when both spellings are given', () => {
    const playbook = { name: 'p', steps: [{ type: 'wait', name: 'x', waitSeconds: 5, wait_seconds: 6 }] };
    expect(linesOf(playbook)).toEqual(['steps[0].waitSeconds: unknown key "waitSeconds" (did you mean "wait_seconds"?)']);
  });

  it('returns anything that is not an object as it is', () => {
    expect(fromPlaybookFormat('text')).toBe('text');
  });
});

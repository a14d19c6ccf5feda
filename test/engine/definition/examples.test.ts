import { describe, expect, it } from 'vitest';
import { compileRunbook, parseDefinition, parseDefinitionText, type StepSource } from '../../../src/engine/definition/index.js';
import { fixtureText, sourceOf } from './helpers.js';

const byRef = (step: StepSource, index: number) => `rbs_${step.ref ?? index + 1}`;

function compiledFixture(name: string) {
  const result = parseDefinitionText(fixtureText(name), 'auto');
  if (!result.ok) expect.fail(JSON.stringify(result.problems));
  return { source: result.source, compiled: compileRunbook(result.source, byRef) };
}

describe('the DESIGN.md section 2 example', () => {
  const { source, compiled } = compiledFixture('design-deploy-to-production.yaml');

  it('keeps exactly what the author wrote', () => {
    expect(source.scope).toBe('global');
    expect(source.variables).toEqual([
      { name: 'version', description: 'Release version', required: true },
      { name: 'environment', default: 'production' },
    ]);
    expect(source.trigger).toEqual({ alert_types: ['service_down'], device_tags: ['web'], min_severity: 'high', channels: ['C024BE91L'], auto_execute: false });
    expect(source.steps[5]).toEqual({ label: 'Confirm', type: 'gate', approvers: ['U012AB3CD', 'S0614TZR7'] });
  });

  it('routes the tests step by outcome and loops the fix step back to the tests', () => {
    expect(compiled.steps.map((s) => [s.id, s.type, s.next_default, s.next_on_outcome])).toEqual([
      ['rbs_1', 'action', 'rbs_tests', null],
      ['rbs_tests', 'check', 'rbs_fix', { pass: 'rbs_deploy', fail: 'rbs_fix' }],
      ['rbs_fix', 'action', 'rbs_deploy', { done: 'rbs_tests' }],
      ['rbs_deploy', 'action', 'rbs_5', null],
      ['rbs_5', 'wait', 'rbs_6', null],
      ['rbs_6', 'gate', null, null],
    ]);
    expect(compiled.steps[4]?.wait_seconds).toBe(30);
    expect(compiled.required_permissions).toEqual(['devices:execute']);
  });
});

describe('the Minolith "Deploy to Production" example', () => {
  const { source, compiled } = compiledFixture('minolith-deploy-to-production.yaml');

  it('parses with its variables and six steps', () => {
    expect(source.variables).toEqual([
      { name: 'version', description: 'Release version', required: true },
      { name: 'branch', description: 'Git branch', required: true, default: 'main' },
    ]);
    expect(compiled.steps.map((s) => s.label)).toEqual(['Pull latest code', 'Run test suite', 'Fix test failures', 'Deploy application', 'Smoke test', 'Confirm']);
  });

  it('sends pass to deploy, fail to fix, and fix back to the tests', () => {
    const [pull, tests, fix, deploy, smoke, confirm] = compiled.steps;
    expect(tests?.next_on_outcome).toEqual({ pass: deploy?.id, fail: fix?.id });
    expect(fix?.next_on_outcome).toEqual({ done: tests?.id });
    expect([pull?.next_default, tests?.next_default, fix?.next_default, deploy?.next_default, smoke?.next_default, confirm?.next_default]).toEqual([
      tests?.id,
      fix?.id,
      deploy?.id,
      smoke?.id,
      confirm?.id,
      null,
    ]);
  });

  it('is rejected as written in the reference, which never gives the tests step its ref', () => {
    const asWritten = { ...source, steps: source.steps.map(({ ref, ...step }) => (ref === 'tests' ? step : { ...step, ref })) };
    const result = parseDefinition(asWritten);
    expect(result.ok ? [] : result.problems).toEqual([{ path: 'steps[2].next_on_outcome.done', message: 'unknown step ref "tests"' }]);
  });
});

describe('the built-in device playbooks', () => {
  const deviceInput = { deviceId: '{{deviceId}}' };
  const cases = [
    {
      file: 'playbook-disk-cleanup.json',
      name: 'Disk Cleanup',
      category: 'disk',
      types: ['diagnose', 'diagnose', 'act', 'wait', 'verify'],
      tools: ['analyze_disk_usage', 'disk_cleanup', 'disk_cleanup', undefined, 'analyze_disk_usage'],
      wait: 30,
      verify: { metric: 'disk_usage_percent', operator: 'lt', value: 90 },
      trigger: undefined,
    },
    {
      file: 'playbook-service-restart.json',
      name: 'Service Restart',
      category: 'service',
      types: ['diagnose', 'act', 'wait', 'verify'],
      tools: ['manage_services', 'manage_services', undefined, 'manage_services'],
      wait: 10,
      verify: { metric: 'service_status', operator: 'eq', value: 'running' },
      trigger: { alert_types: ['service_down'], auto_execute: false },
    },
    {
      file: 'playbook-memory-pressure-relief.json',
      name: 'Memory Pressure Relief',
      category: 'memory',
      types: ['diagnose', 'act', 'wait', 'verify'],
      tools: ['analyze_metrics', 'manage_services', undefined, 'analyze_metrics'],
      wait: 300,
      verify: { metric: 'ram_usage_percent', operator: 'lt', value: 85 },
      trigger: undefined,
    },
  ];

  it.each(cases)('imports $name into the snake_case format as an agentic runbook', (c) => {
    const source = sourceOf(JSON.parse(fixtureText(c.file)));
    expect(source).toMatchObject({ name: c.name, category: c.category, audience: 'agentic', required_permissions: ['devices:read', 'devices:execute'] });
    expect(source).not.toHaveProperty('isActive');
    expect(source.trigger).toEqual(c.trigger);
    expect(source.steps.map((s) => s.type)).toEqual(c.types);
    expect(source.steps.map((s) => s.tool)).toEqual(c.tools);
    const wait = source.steps.find((s) => s.type === 'wait');
    expect(wait?.wait_seconds).toBe(c.wait);
    const verify = source.steps.find((s) => s.type === 'verify');
    expect(verify).toMatchObject({ verify: c.verify, on_failure: 'stop', tool_input: expect.objectContaining(deviceInput) });
    for (const step of source.steps) {
      expect(step.label.length).toBeGreaterThan(0);
      expect(step.instruction?.length).toBeGreaterThan(0);
    }
  });

  it('keeps the disk cleanup preview and execute inputs with their categories', () => {
    const source = sourceOf(JSON.parse(fixtureText('playbook-disk-cleanup.json')));
    const categories = ['temp_files', 'browser_cache', 'package_cache', 'trash'];
    expect(source.steps[1]?.tool_input).toEqual({ deviceId: '{{deviceId}}', mode: 'preview', categories });
    expect(source.steps[2]?.tool_input).toEqual({ deviceId: '{{deviceId}}', mode: 'execute', categories });
  });

  it.each(['playbook-service-restart.json', 'playbook-memory-pressure-relief.json'])('passes {{serviceName}} to the restart in %s', (file) => {
    const act = sourceOf(JSON.parse(fixtureText(file))).steps.find((s) => s.type === 'act');
    expect(act?.tool_input).toMatchObject({ deviceId: '{{deviceId}}', action: 'restart', serviceName: '{{serviceName}}' });
  });

  it('compiles a playbook into a straight line that ends after verification', () => {
    const compiled = compileRunbook(sourceOf(JSON.parse(fixtureText('playbook-service-restart.json'))), byRef);
    expect(compiled.steps.map((s) => s.next_default)).toEqual(['rbs_2', 'rbs_3', 'rbs_4', null]);
    expect(compiled.trigger).toEqual({ alert_types: ['service_down'], device_tags: [], min_severity: null, channels: [], auto_execute: false });
  });
});

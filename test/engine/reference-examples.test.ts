// The examples of the reference products, imported from their own formats and driven to
// the end through the engine, as a person, an agent, a timer and a device runner would.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDefinitionText } from '../../src/engine/definition/index.js';
import { computeProgress, type Command, type Run } from '../../src/engine/index.js';
import { NOW, alice, begin, bob, step, system } from './support/runbook.js';

const fixture = (name: string) => {
  const text = readFileSync(new URL(`../fixtures/definitions/${name}`, import.meta.url), 'utf8');
  const parsed = parseDefinitionText(text, 'auto');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.source;
};

const labelOf = (run: Run) => run.runbook.steps.find((s) => s.id === run.current_step_id)?.label;
const visit = (run: Run) => run.steps.find((s) => s.step_id === run.current_step_id)?.visit ?? 0;
const pinned = (run: Run) => ({ step_id: run.current_step_id ?? '', visit: visit(run) });

describe('reference 002: Deploy to Production', () => {
  it('runs with a failed test run, a fix, a pass and an approved gate', () => {
    let { run } = begin(fixture('minolith-deploy-to-production.yaml'), { version: '2.5.0' });
    expect(run.variables).toEqual({ version: '2.5.0', branch: 'main' });
    const path: string[] = [];
    const act = (command: Command) => {
      path.push(labelOf(run) ?? '');
      run = step(run, command).run;
    };
    act({ type: 'advance', actor: alice, notes: 'Pulled commit abc123.' });
    act({ type: 'advance', actor: alice, outcome: 'fail', output: { failures: 2 } });
    act({ type: 'advance', actor: alice, notes: 'Fixed flaky test.' });
    act({ type: 'advance', actor: alice, outcome: 'pass', output: { test_count: 247, failures: 0 } });
    act({ type: 'advance', actor: alice });
    act({ type: 'advance', actor: alice, outcome: 'pass' });
    act({ type: 'approve', actor: bob, notes: 'Looks good.' });
    expect(path).toEqual(['Pull latest code', 'Run test suite', 'Fix test failures', 'Run test suite', 'Deploy application', 'Smoke test', 'Confirm']);
    expect(run.status).toBe('completed');
    expect(computeProgress(run)).toEqual({ total_steps: 6, completed: 6, skipped: 0, failed: 0, remaining: 0 });
  });
});

describe('reference 001: built-in device playbooks', () => {
  // What a device runner would answer for each tool, good enough to pass each verify.
  const toolOutputs: Record<string, unknown> = {
    analyze_disk_usage: { disk_usage_percent: 71.5, largest: [{ path: '/var/log', bytes: 1_200_000_000 }] },
    disk_cleanup: { bytes_freed: 4_200_000_000, candidates: 1832 },
    manage_services: { service_status: 'running', pid: 4242 },
    analyze_metrics: { ram_usage_percent: 62, cpu_usage_percent: 12 },
  };

  /** Drives a playbook: answers each tool call, fires each wait when due. */
  function drive(file: string, variables: Record<string, string>) {
    let { run, effects } = begin(fixture(file), variables);
    let now = NOW;
    const calls: { tool: string; input: unknown }[] = [];
    for (let guard = 0; guard < 20 && run.status !== 'completed'; guard += 1) {
      const tool = effects.find((e) => e.type === 'runTool');
      if (tool?.type === 'runTool') {
        calls.push({ tool: tool.tool, input: tool.input });
        now += 2_000;
        ({ run, effects } = step(run, { type: 'tool_result', actor: system, ...pinned(run), ok: true, output: toolOutputs[tool.tool] as never }, now));
      } else if (run.status === 'waiting' && run.wait) {
        now = run.wait.due_at;
        ({ run, effects } = step(run, { type: 'wait_elapsed', actor: system, ...pinned(run) }, now));
      } else {
        throw new Error(`stuck at ${labelOf(run)} (${run.status})`);
      }
    }
    return { run, calls, now };
  }

  it('Disk Cleanup: baseline, preview, execute, 30 s wait, verify below 90%', () => {
    const { run, calls, now } = drive('playbook-disk-cleanup.json', { deviceId: 'web-01' });
    expect(run.status).toBe('completed');
    expect(calls.map((c) => c.tool)).toEqual(['analyze_disk_usage', 'disk_cleanup', 'disk_cleanup', 'analyze_disk_usage']);
    expect(calls[1]?.input).toMatchObject({ mode: 'preview', deviceId: 'web-01' });
    expect(calls[2]?.input).toMatchObject({ mode: 'execute' });
    expect(now - NOW).toBe(4 * 2_000 + 30_000);
    expect(run.steps.at(-1)).toMatchObject({ outcome: 'pass', notes: 'disk_usage_percent = 71.5, expected lt 90' });
  });

  it('Service Restart: status, restart {{serviceName}}, 10 s wait, verify running', () => {
    const { run, calls } = drive('playbook-service-restart.json', { deviceId: 'web-01', serviceName: 'nginx' });
    expect(run.status).toBe('completed');
    expect(calls.map((c) => c.input)).toContainEqual(expect.objectContaining({ action: 'restart', serviceName: 'nginx', deviceId: 'web-01' }));
    expect(run.steps.at(-1)?.outcome).toBe('pass');
  });

  it('Memory Pressure Relief: metrics, restart, 300 s wait, verify below 85%', () => {
    const { run, now } = drive('playbook-memory-pressure-relief.json', { deviceId: 'db-02', serviceName: 'java-app' });
    expect(run.status).toBe('completed');
    expect(now - NOW).toBeGreaterThanOrEqual(300_000);
    expect(run.steps.at(-1)).toMatchObject({ outcome: 'pass', notes: 'ram_usage_percent = 62, expected lt 85' });
  });

  it('asks for the inputs a playbook uses', () => {
    expect(() => begin(fixture('playbook-service-restart.json'), { deviceId: 'web-01' })).toThrow('missing required variable "serviceName"');
  });
});

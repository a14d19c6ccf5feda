// The demo device's machine, through the runner's own tool registry: its folder is its "/",
// its disk and RAM are the folder's and its services', and nothing reaches past them.
import { access } from 'node:fs/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { underRoot } from '../../src/runner/machine.js';
import { prepareDemoMachine, type DemoMachineParts } from '../../src/sandbox/demo/demo-device.js';

let demo: DemoMachineParts;
const call = (tool: string, input: unknown) => demo.registry.call(tool, input, { config: demo.config, machine: demo.machine, signal: new AbortController().signal });

beforeAll(async () => {
  demo = await prepareDemoMachine();
});

afterAll(async () => {
  await demo?.remove();
});

describe('underRoot', () => {
  it.each([
    ['/', '/demo'],
    ['/var/log', '/demo/var/log'],
    ['/../../etc', '/demo/etc'],
    ['/var/../../..', '/demo'],
    ['relative/x', '/demo/relative/x'],
  ])('keeps %s inside the root', (path, expected) => {
    expect(underRoot('/demo', path)).toBe(expected);
  });
});

describe('the demo machine', () => {
  it('has a 16 MiB disk that its seeded files fill past 90%, shown with the folder as "/"', async () => {
    const out = await call('analyze_disk_usage', { path: '/' });
    expect(out).toMatchObject({ path: '/', total_bytes: 16 * 1024 * 1024, partial: false });
    expect(out.disk_usage_percent).toBeGreaterThan(90);
    const largest = (out.largest as Array<{ path: string }>).map((l) => l.path);
    expect(largest).toContain('/var/cache/apt');
    expect(largest.every((p) => !p.startsWith(demo.root))).toBe(true);
  });

  it('cannot be walked out of: ".." stops at its root, and the host\'s /etc is not there', async () => {
    const climbed = await call('analyze_disk_usage', { path: '/../../..' });
    expect(climbed.scanned_entries).toBe((await call('analyze_disk_usage', { path: '/' })).scanned_entries);
    await expect(call('analyze_disk_usage', { path: '/etc' })).rejects.toThrow('cannot read "/etc": ENOENT');
  });

  it('counts only its own services as memory: the leak reads as pressure, nothing once they stop', async () => {
    expect((await call('analyze_metrics', {})).ram_usage_percent).toBeGreaterThanOrEqual(85);
    expect(await call('manage_services', { service: 'cache', action: 'restart' })).toMatchObject({ service_status: 'running' });
    // The leak happens once: a restarted cache is small.
    expect((await call('analyze_metrics', {})).ram_usage_percent).toBeLessThan(60);
    await call('manage_services', { service: 'cache', action: 'stop' });
    await call('manage_services', { service: 'web', action: 'stop' });
    expect(await call('analyze_metrics', {})).toMatchObject({ ram_usage_percent: 0, ram_total_bytes: 256 * 1024 * 1024 });
    await call('manage_services', { service: 'web', action: 'start' });
  });

  it('shows a crash as a failed service until it is restarted', async () => {
    await demo.crash('web');
    expect(await call('manage_services', { service: 'web', action: 'status' })).toMatchObject({ service_status: 'failed' });
    expect(await call('manage_services', { service: 'web', action: 'restart' })).toMatchObject({ service_status: 'running', manager: 'runner' });
  });

  it('starts the broken release only to see it fail', async () => {
    expect(await call('manage_services', { service: 'web-v2', action: 'start' })).toMatchObject({ service: 'web-v2', service_status: 'failed' });
  });

  it('hands nothing to systemd and fetches nothing beyond loopback', async () => {
    await expect(call('manage_services', { service: 'sshd', action: 'restart' })).rejects.toThrow(
      'this runner may not restart "sshd": the runner config neither declares it under services (declared: web, cache, web-v2) nor lists it in systemd_units (listed: none)',
    );
    await expect(call('manage_services', { service: 'sshd', action: 'status' })).rejects.toThrow(
      'unknown service "sshd": not declared in the runner config (it declares web, cache, web-v2) and systemd is not available here',
    );
    await expect(call('http_check', { url: 'https://example.com/' })).rejects.toThrow(
      'http_check may not fetch https://example.com/: the demo device reaches only loopback addresses',
    );
    // Loopback is fetched: a closed port is a failed check, not a refusal.
    expect(await call('http_check', { url: 'http://127.0.0.1:9/', timeout_ms: 2000 })).toMatchObject({ ok: false, status: null });
  });

  it('runs no commands', async () => {
    await expect(call('run_command', { command: 'rm', args: ['-rf', '/'] })).rejects.toThrow('command "rm" is not in this runner\'s allowlist (allowed: none)');
  });

  it('is gone once removed: services stopped, folder deleted', async () => {
    const root = demo.root;
    await demo.remove();
    await expect(access(root)).rejects.toThrow(/ENOENT/);
  });
});

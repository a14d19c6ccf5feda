import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createToolRegistry, type ToolRegistry } from '../../../src/runner/tool-registry.js';
import { isAlive } from '../../../src/runner/tools/process-control.js';
import { parseSystemctlShow, systemdStatus } from '../../../src/runner/tools/systemd-services.js';
import type { ToolContext } from '../../../src/runner/tools/types.js';
import { contextFor, createSandbox, freePort, type Sandbox } from './sandbox.js';

// The server writes nothing itself: the runner writes its pid file.
const SERVER = `
import http from 'node:http';
http.createServer((req, res) => res.end(String(process.pid))).listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
`;

/** The pid the server on `port` answers with, once it answers (within 5 s), else null. */
async function answer(port: number): Promise<number | null> {
  for (const deadline = Date.now() + 5000; Date.now() < deadline; await sleep(50)) {
    const body = await new Promise<string | null>((resolve) => {
      http
        .get({ host: '127.0.0.1', port, agent: false }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        })
        .on('error', () => resolve(null));
    });
    if (body !== null) return Number(body);
  }
  return null;
}

describe('manage_services', { timeout: 20_000 }, () => {
  let box: Sandbox;
  let ctx: ToolContext;
  let tools: ToolRegistry;
  let port: number;
  const pids = new Set<number>();

  const call = async (service: string, action: string) => {
    const out = await tools.call('manage_services', { service, action }, ctx);
    if (typeof out.pid === 'number') pids.add(out.pid);
    return out;
  };

  beforeAll(async () => {
    box = await createSandbox();
    port = await freePort();
    await writeFile(box.path('server.mjs'), SERVER);
    ctx = contextFor(
      {
        services: {
          web: { start: [process.execPath, 'server.mjs'], cwd: '.', pid_file: 'run/web.pid', env: { PORT: String(port) }, stop_timeout_seconds: 3, log_file: 'log/web.log' },
          crashy: { start: [process.execPath, '-e', 'process.exit(3)'], pid_file: 'run/crashy.pid' },
          stale: { start: [process.execPath, '-e', ''], pid_file: 'run/stale.pid' },
        },
      },
      box.dir,
    );
    tools = await createToolRegistry(ctx.config);
  });

  // Whatever happened above, nothing started here outlives the file.
  afterAll(async () => {
    const fromFile = await readFile(box.path('run/web.pid'), 'utf8').then(Number, () => NaN);
    if (Number.isInteger(fromFile)) pids.add(fromFile);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await box.remove();
  });

  it('reports a declared service with no pid file as stopped', async () => {
    expect(await call('web', 'status')).toEqual({ service: 'web', service_status: 'stopped', pid: null, action: 'status', manager: 'runner' });
  });

  it('starts a declared service, writes its pid file, and the server answers', async () => {
    const out = await call('web', 'start');
    expect(out).toMatchObject({ service_status: 'running', manager: 'runner', action: 'start' });
    expect(Number(await readFile(box.path('run/web.pid'), 'utf8'))).toBe(out.pid);
    expect(await answer(port)).toBe(out.pid);
    expect(await call('web', 'status')).toMatchObject({ service_status: 'running', pid: out.pid });
  });

  it('restarts it under a new pid that answers again', async () => {
    const before = (await call('web', 'status')).pid as number;
    const out = await call('web', 'restart');
    expect(out).toMatchObject({ service_status: 'running', action: 'restart' });
    expect(out.pid).not.toBe(before);
    expect(await isAlive(before)).toBe(false);
    expect(await answer(port)).toBe(out.pid);
  });

  it('stops it: stopped, the process is gone and so is the pid file', async () => {
    const before = (await call('web', 'status')).pid as number;
    expect(await call('web', 'stop')).toMatchObject({ service_status: 'stopped', pid: null });
    expect(await isAlive(before)).toBe(false);
    await expect(readFile(box.path('run/web.pid'))).rejects.toThrow(/ENOENT/);
    expect(await call('web', 'status')).toMatchObject({ service_status: 'stopped' });
  });

  it('reports failed when the pid file names a process that is gone', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
    await writeFile(box.path('run/stale.pid'), `${dead}\n`);
    expect(await call('stale', 'status')).toMatchObject({ service_status: 'failed', pid: dead });
  });

  it('reports failed when a started service exits at once', async () => {
    expect(await call('crashy', 'start')).toMatchObject({ service_status: 'failed', action: 'start' });
  });

  it('refuses a service that is neither declared nor a systemd unit', async () => {
    await expect(call('no-such-service-4711', 'status')).rejects.toThrow(
      /unknown service "no-such-service-4711": not declared in the runner config (\(it declares web, crashy, stale\) )?and/,
    );
  });

  it('changes no systemd unit the config does not list: start, stop and restart are opt-in', async () => {
    for (const action of ['start', 'stop', 'restart']) {
      await expect(call('nginx', action)).rejects.toThrow(
        `this runner may not ${action} "nginx": the runner config neither declares it under services (declared: web, crashy, stale) nor lists it in systemd_units (listed: none)`,
      );
    }
  });

  it('hands a listed unit to systemd (refused there when this machine has none, or no such unit)', async () => {
    const listed = contextFor({ systemd_units: ['no-such-unit-4711'] }, box.dir);
    await expect(tools.call('manage_services', { service: 'no-such-unit-4711', action: 'restart' }, listed)).rejects.toThrow(
      /unknown service "no-such-unit-4711": not declared in the runner config and (systemd is not available here|no systemd unit has that name)/,
    );
  });

  it('rejects a service name that would read as a systemctl option', async () => {
    await expect(call('--all', 'stop')).rejects.toThrow(/input\.service: must be a service name/);
  });

  it('reads systemctl show output into a status', () => {
    const props = parseSystemctlShow('MainPID=812\nActiveState=active\nSubState=running\nLoadState=loaded\n');
    expect(systemdStatus(props)).toEqual({ service_status: 'running', pid: 812 });
    expect(systemdStatus({ ActiveState: 'activating', SubState: 'auto-restart', MainPID: '0' })).toEqual({ service_status: 'failed', pid: null });
    expect(systemdStatus({ ActiveState: 'inactive', MainPID: '0' })).toEqual({ service_status: 'stopped', pid: null });
  });
});

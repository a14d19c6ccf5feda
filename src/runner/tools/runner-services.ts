// Services declared in the runner config, run by the runner itself: started detached with
// their output in log_file, tracked through pid_file, stopped by signal.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { ServiceConfig } from '../runner-config.js';
import { childEnv, isAlive, terminate } from './process-control.js';
import { ToolError } from './types.js';

export type ServiceStatus = 'running' | 'stopped' | 'failed';
export interface ServiceState {
  service_status: ServiceStatus;
  pid: number | null;
}

// A start that dies this soon (bad argv, port taken) is reported as failed at once.
const SETTLE_MS = 300;

async function readPid(pidFile: string): Promise<number | null | 'missing'> {
  let text: string;
  try {
    text = await readFile(pidFile, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw e;
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

export async function runnerServiceStatus(svc: ServiceConfig): Promise<ServiceState> {
  const pid = await readPid(svc.pid_file);
  if (pid === 'missing') return { service_status: 'stopped', pid: null };
  if (pid === null) return { service_status: 'failed', pid: null };
  return { service_status: (await isAlive(pid)) ? 'running' : 'failed', pid };
}

export async function startRunnerService(name: string, svc: ServiceConfig): Promise<ServiceState> {
  const current = await runnerServiceStatus(svc);
  if (current.service_status === 'running') return current;
  const [command, ...args] = svc.start as [string, ...string[]];
  let out: number | 'ignore' = 'ignore';
  if (svc.log_file !== undefined) {
    await mkdir(dirname(svc.log_file), { recursive: true });
    out = openSync(svc.log_file, 'a');
  }
  let pid: number;
  try {
    const child = spawn(command, args, {
      cwd: svc.cwd,
      env: childEnv(svc.env),
      detached: true,
      stdio: ['ignore', out, out],
    });
    pid = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid as number));
      child.once('error', reject);
    });
    child.on('error', () => undefined); // later errors (none expected) must not crash the runner
    child.unref();
  } catch (e) {
    throw new ToolError(`service "${name}" could not be started: ${(e as Error).message}`);
  } finally {
    if (typeof out === 'number') closeSync(out);
  }
  await mkdir(dirname(svc.pid_file), { recursive: true });
  await writeFile(svc.pid_file, `${pid}\n`);
  await sleep(SETTLE_MS);
  return { service_status: (await isAlive(pid)) ? 'running' : 'failed', pid };
}

export async function stopRunnerService(name: string, svc: ServiceConfig): Promise<ServiceState> {
  const pid = await readPid(svc.pid_file);
  if (typeof pid === 'number' && (await isAlive(pid)) && !(await terminate(pid, svc.stop_timeout_seconds * 1000))) {
    throw new ToolError(`service "${name}" (pid ${pid}) did not exit after SIGTERM and SIGKILL`);
  }
  await rm(svc.pid_file, { force: true });
  return { service_status: 'stopped', pid: null };
}

// Services the runner config does not declare, managed through systemd when the machine
// runs it. systemctl is called with execFile (no shell) and never asks for a password.
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { promisify } from 'node:util';

import type { ServiceState } from './runner-services.js';
import { ToolError } from './types.js';

const run = promisify(execFile);
const SYSTEMCTL_TIMEOUT_MS = 120_000;

/** systemd's own test for "booted with systemd" (sd_booted). */
export async function hasSystemd(): Promise<boolean> {
  try {
    await access('/run/systemd/system');
    return true;
  } catch {
    return false;
  }
}

/** `Key=value` lines of `systemctl show` as a map. */
export function parseSystemctlShow(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1).trim();
  }
  return out;
}

/** running | stopped | failed from ActiveState and SubState; a unit restarting in a loop has failed. */
export function systemdStatus(props: Record<string, string>): ServiceState {
  const active = props.ActiveState ?? 'unknown';
  const pid = Number(props.MainPID ?? 0);
  let status: ServiceState['service_status'] = 'stopped';
  if (active === 'active' || active === 'reloading') status = 'running';
  else if (active === 'failed' || props.SubState === 'auto-restart') status = 'failed';
  return { service_status: status, pid: Number.isInteger(pid) && pid > 0 ? pid : null };
}

export async function systemdServiceStatus(name: string, signal: AbortSignal): Promise<ServiceState> {
  const { stdout } = await run('systemctl', ['show', '-p', 'LoadState', '-p', 'ActiveState', '-p', 'SubState', '-p', 'MainPID', '--', name], {
    signal,
    timeout: SYSTEMCTL_TIMEOUT_MS,
  });
  const props = parseSystemctlShow(stdout);
  if (props.LoadState === 'not-found') throw new ToolError(`unknown service "${name}": not declared in the runner config and no systemd unit has that name`);
  return systemdStatus(props);
}

export async function systemdAction(name: string, action: 'start' | 'stop' | 'restart', signal: AbortSignal): Promise<void> {
  try {
    await run('systemctl', ['--no-ask-password', action, '--', name], { signal, timeout: SYSTEMCTL_TIMEOUT_MS });
  } catch (e) {
    const stderr = String((e as { stderr?: unknown }).stderr ?? '').trim();
    throw new ToolError(`systemctl ${action} ${name} failed: ${stderr || (e as Error).message}`);
  }
}

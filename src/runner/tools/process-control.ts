// Signals and liveness for processes the runner starts. Children are started detached, so
// each leads its own process group and a signal to the group also reaches what it forked.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

// The variables a child needs to behave normally. The runner's own environment (which may
// hold its credentials) is not passed on.
const PASSED_ON = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'SYSTEMROOT'];

export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of PASSED_ON) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}

/** True while `pid` exists and is not a zombie (a zombie holds its pid until reaped). */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command name, which is in parentheses and may contain spaces.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    // Gone from /proc: reaped between the two checks (a zombie's parent collected it). With
    // no /proc at all (macOS), kill(0) is all there is.
    return !HAS_PROC;
  }
}

const HAS_PROC = existsSync('/proc/self/stat');

/** Signals the process group led by `pid`, or the process alone when it leads none. */
export function signalTree(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Waits up to `ms` for `pid` to exit; true when it did. */
export async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (await isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

/** SIGTERM, then SIGKILL after `graceMs`; true when the process is gone. */
export async function terminate(pid: number, graceMs: number): Promise<boolean> {
  signalTree(pid, 'SIGTERM');
  if (await waitForExit(pid, graceMs)) return true;
  signalTree(pid, 'SIGKILL');
  return waitForExit(pid, 5000);
}

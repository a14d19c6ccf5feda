// A throwaway directory under the OS temp dir for one test file, and a tool context over a
// runner config built from plain data (paths relative to the sandbox).
import { mkdir, mkdtemp, realpath, rm, utimes, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { hostMachine, type Machine } from '../../../src/runner/machine.js';
import { parseRunnerConfig, type RunnerConfig } from '../../../src/runner/runner-config.js';
import type { ToolContext } from '../../../src/runner/tools/types.js';

export interface Sandbox {
  dir: string;
  path(...parts: string[]): string;
  /** Writes `bytes` bytes at `rel`, last modified `ageHours` ago. */
  file(rel: string, bytes: number, ageHours?: number): Promise<string>;
  remove(): Promise<void>;
}

export async function createSandbox(): Promise<Sandbox> {
  // realpath: on macOS tmpdir() is itself behind a symlink.
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'runner-tools-')));
  const path = (...parts: string[]) => join(dir, ...parts);
  return {
    dir,
    path,
    async file(rel, bytes, ageHours = 0) {
      const full = path(rel);
      await mkdir(dirname(full), { recursive: true });
      await writeFile(full, Buffer.alloc(bytes, 120));
      const when = new Date(Date.now() - ageHours * 3_600_000);
      await utimes(full, when, when);
      return full;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export function contextFor(raw: unknown, baseDir: string, signal = new AbortController().signal, machine: Machine = hostMachine): ToolContext {
  return { config: parseRunnerConfig(raw, baseDir), machine, signal };
}

export function configFor(raw: unknown, baseDir: string): RunnerConfig {
  return parseRunnerConfig(raw, baseDir);
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

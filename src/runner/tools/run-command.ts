// run_command: one allowlisted program, started without a shell (arguments reach it as
// written: `;`, `$(...)` and globs mean nothing), killed with its process group on timeout.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { z } from 'zod';

import { childEnv, signalTree } from './process-control.js';
import { ToolError, type Tool } from './types.js';

const Input = z.object({
  command: z.string().min(1).max(4096),
  args: z.array(z.string().max(100_000)).max(1000).default([]),
});
type Input = z.output<typeof Input>;

const KILL_GRACE_MS = 1000;

/** Keeps the first `max` bytes of a stream and counts the rest. */
function collector(max: number) {
  const chunks: Buffer[] = [];
  let kept = 0;
  let dropped = 0;
  return {
    push(chunk: Buffer) {
      const part = chunk.subarray(0, Math.max(0, max - kept));
      if (part.length > 0) chunks.push(part);
      kept += part.length;
      dropped += chunk.length - part.length;
    },
    text(): string {
      const text = Buffer.concat(chunks).toString('utf8');
      return dropped > 0 ? `${text}…[cut ${dropped} bytes]` : text;
    },
  };
}

function notStarted(command: string, e: unknown): ToolError {
  return new ToolError(`command "${command}" could not be started: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
}

export const runCommandTool: Tool<Input> = {
  name: 'run_command',
  description: "Run a command from this runner's allowlist, without a shell, with a timeout.",
  input: Input,
  async run(input, ctx) {
    const { allow, timeout_seconds: timeoutSeconds, max_output_bytes: maxBytes } = ctx.config.run_command;
    if (!allow.includes(input.command)) {
      throw new ToolError(`command "${input.command}" is not in this runner's allowlist (allowed: ${allow.length > 0 ? allow.join(', ') : 'none'})`);
    }
    const stdout = collector(maxBytes);
    const stderr = collector(maxBytes);
    const started = performance.now();
    let child: ChildProcessByStdio<null, Readable, Readable>;
    try {
      child = spawn(input.command, input.args, { shell: false, detached: true, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      throw notStarted(input.command, e); // e.g. a NUL byte in an argument
    }
    child.stdout.on('data', stdout.push);
    child.stderr.on('data', stderr.push);

    let timedOut = false;
    const kill = () => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      signalTree(child.pid, 'SIGTERM');
      setTimeout(() => child.pid !== undefined && signalTree(child.pid, 'SIGKILL'), KILL_GRACE_MS).unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutSeconds * 1000);
    ctx.signal.addEventListener('abort', kill, { once: true });
    if (ctx.signal.aborted) kill();

    try {
      // 'close' waits for the pipes too, so output written just before exit is kept.
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
        child.once('error', reject);
        child.once('close', (c: number | null, s: NodeJS.Signals | null) => resolve([c, s]));
      });
      return {
        command: input.command,
        exit_code: code,
        ...(signal !== null ? { signal } : {}),
        stdout: stdout.text(),
        stderr: stderr.text(),
        timed_out: timedOut,
        duration_ms: Math.round(performance.now() - started),
      };
    } catch (e) {
      throw notStarted(input.command, e);
    } finally {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', kill);
    }
  },
};

import { lstat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createToolRegistry, type ToolRegistry } from '../../../src/runner/tool-registry.js';
import type { ToolContext } from '../../../src/runner/tools/types.js';
import { contextFor, createSandbox, type Sandbox } from './sandbox.js';

const PRINT_ARGS = 'process.stdout.write(JSON.stringify(process.argv.slice(1)))';

describe('run_command', { timeout: 15_000 }, () => {
  let box: Sandbox;
  let ctx: ToolContext;
  let tools: ToolRegistry;

  beforeAll(async () => {
    box = await createSandbox();
    ctx = contextFor({ run_command: { allow: [process.execPath, 'echo'], timeout_seconds: 1, max_output_bytes: 1000 } }, box.dir);
    tools = await createToolRegistry(ctx.config);
  });

  afterAll(() => box.remove());

  it('runs an allowed command by absolute path and returns its exit code and output', async () => {
    const out = await tools.call('run_command', { command: process.execPath, args: ['-e', 'console.log("hi"); console.error("warn"); process.exit(3)'] }, ctx);
    expect(out).toMatchObject({ exit_code: 3, stdout: 'hi\n', stderr: 'warn\n', timed_out: false });
    expect(out.duration_ms).toBeGreaterThanOrEqual(0);
  });

  it('runs an allowed command by name from PATH', async () => {
    expect(await tools.call('run_command', { command: 'echo', args: ['hello', 'world'] }, ctx)).toMatchObject({ exit_code: 0, stdout: 'hello world\n' });
  });

  it('refuses a command outside the allowlist and says what is allowed', async () => {
    await expect(tools.call('run_command', { command: 'rm', args: ['-rf', box.dir] }, ctx)).rejects.toThrow(
      `command "rm" is not in this runner's allowlist (allowed: ${process.execPath}, echo)`,
    );
    // A name allowed by name is not allowed under another path, nor the reverse.
    await expect(tools.call('run_command', { command: '/bin/echo' }, ctx)).rejects.toThrow(/not in this runner's allowlist/);
    expect((await lstat(box.dir)).isDirectory()).toBe(true);
  });

  it('passes shell syntax through literally: no shell ever sees the arguments', async () => {
    const args = [`; touch ${box.path('semicolon')}`, `$(touch ${box.path('subst')})`, `\`touch ${box.path('tick')}\``, '*', '| cat', '&& echo'];
    const out = await tools.call('run_command', { command: process.execPath, args: ['-e', PRINT_ARGS, ...args] }, ctx);
    expect(JSON.parse(out.stdout as string)).toEqual(args);
    for (const name of ['semicolon', 'subst', 'tick']) await expect(lstat(box.path(name))).rejects.toThrow(/ENOENT/);
    const echoed = await tools.call('run_command', { command: 'echo', args: ['a; rm -rf /', '$(id)'] }, ctx);
    expect(echoed.stdout).toBe('a; rm -rf / $(id)\n');
  });

  it('kills a command that outlives the timeout and says so', async () => {
    const out = await tools.call('run_command', { command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] }, ctx);
    expect(out).toMatchObject({ timed_out: true, exit_code: null, signal: 'SIGTERM' });
    expect(out.duration_ms).toBeLessThan(5000);
  });

  it('cuts stdout at max_output_bytes with a marker', async () => {
    const out = await tools.call('run_command', { command: process.execPath, args: ['-e', 'process.stdout.write("x".repeat(5000))'] }, ctx);
    expect(out.stdout).toBe(`${'x'.repeat(1000)}…[cut 4000 bytes]`);
  });
});

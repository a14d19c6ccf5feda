import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadRunnerConfig } from '../../../src/runner/runner-config.js';
import { createSandbox, type Sandbox } from './sandbox.js';

describe('loadRunnerConfig', () => {
  let box: Sandbox;

  beforeAll(async () => {
    box = await createSandbox();
  });

  afterAll(() => box.remove());

  const load = async (name: string, text: string) => {
    await writeFile(box.path(name), text);
    return loadRunnerConfig(box.path(name));
  };

  it('gives the defaults without a file: nothing to clean, no commands, no services', async () => {
    expect(await loadRunnerConfig(undefined)).toEqual({
      cleanup: {},
      services: {},
      systemd_units: [],
      run_command: { allow: [], timeout_seconds: 30, max_output_bytes: 8192 },
      custom_tools: [],
      output_limit_chars: 16_000,
    });
  });

  it('reads YAML and resolves relative paths against the config file folder', async () => {
    const config = await load(
      'runner.yaml',
      [
        'device_id: web-01',
        'tags: [web, prod]',
        'cleanup: {temp: [tmp, /var/tmp]}',
        'services:',
        '  web: {start: [node, server.js], pid_file: run/web.pid, log_file: web.log, cwd: app}',
        'systemd_units: [nginx, postgresql@15-main]',
        'run_command: {allow: [df, /usr/bin/uptime]}',
        'custom_tools: [tools/greet.mjs]',
      ].join('\n'),
    );
    expect(config).toMatchObject({
      device_id: 'web-01',
      tags: ['web', 'prod'],
      cleanup: { temp: [box.path('tmp'), '/var/tmp'] },
      services: { web: { start: ['node', 'server.js'], pid_file: box.path('run/web.pid'), log_file: box.path('web.log'), cwd: box.path('app'), stop_timeout_seconds: 10 } },
      systemd_units: ['nginx', 'postgresql@15-main'],
      run_command: { allow: ['df', '/usr/bin/uptime'], timeout_seconds: 30, max_output_bytes: 8192 },
      custom_tools: [box.path('tools/greet.mjs')],
    });
  });

  it('reads the example config in docs/devices.md as documented', async () => {
    const doc = await readFile(new URL('../../../docs/devices.md', import.meta.url), 'utf8');
    const example = /## The runner's config[\s\S]*?```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    expect(await load('documented.yaml', example!)).toMatchObject({ device_id: 'web-01', systemd_units: ['nginx'], run_command: { timeout_seconds: 30 } });
  });

  it('reads JSON as well', async () => {
    expect(await load('runner.json', '{"output_limit_chars": 4000}')).toMatchObject({ output_limit_chars: 4000 });
  });

  it('names the path of every bad field at once', async () => {
    const bad = load(
      'bad.yaml',
      ['services:', '  web: {pid_file: web.pid}', 'run_command: {allow: [./df], timeout: 5}', 'cleanup: {temp: /tmp}', 'systemd_units: [--all]'].join('\n'),
    );
    await expect(bad).rejects.toThrow(/services\.web\.start: required/);
    const problems = await bad.then(
      () => [],
      (e: { problems: string[] }) => e.problems,
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'services.web.start: required',
        'run_command.allow[0]: must be a command name or an absolute path',
        'run_command.timeout: unknown field',
        'cleanup.temp: expected a list (got "/tmp")',
        'systemd_units[0]: unit names are letters, digits and @._:-',
      ]),
    );
  });

  it('says when the file is missing or not YAML', async () => {
    await expect(loadRunnerConfig(box.path('nope.yaml'))).rejects.toThrow(/nope\.yaml: cannot read \(no such file\)/);
    await expect(load('broken.yaml', 'services: [unclosed')).rejects.toThrow(/not valid YAML or JSON/);
  });
});

// `runbook-bot lint`: no database, every problem with file and path, exit codes; and the
// real bin, spawned, to prove the executable works.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

import { FIXTURES, REPO_ROOT, runCaptured, useTempDir } from './support/cli.js';

const tmp = useTempDir();
const execFileAsync = promisify(execFile);
// No MONGODB_URI and a bad PORT: lint must need neither a database nor a valid config.
const env = { PORT: 'abc' };

const TWO_PROBLEMS = ['name: Two Problems', 'steps:', '  - label: Check', '    type: check', '    next_on_outcome: {pass: "step:ok", fail: "step:fx"}', '  - {label: Done, ref: ok, type: wait, wait_seconds: 0}', ''].join('\n');

describe('lint', () => {
  it('says ok for every valid file, YAML and camelCase JSON alike, and exits 0', async () => {
    const files = ['design-deploy-to-production.yaml', 'playbook-disk-cleanup.json'].map((f) => join(FIXTURES, f));

    const result = await runCaptured(['lint', ...files], env);

    expect(result).toEqual({ code: 0, stdout: files.map((f) => `${f}: ok`), stderr: [] });
  });

  it('lists every problem of every file with its path and exits 1', async () => {
    const bad = await tmp.write('two-problems.yaml', TWO_PROBLEMS);
    const good = join(FIXTURES, 'minolith-deploy-to-production.yaml');

    const result = await runCaptured(['lint', bad, good], env);

    expect(result.code).toBe(1);
    expect(result.stdout).toEqual([`${good}: ok`]);
    expect(result.stderr).toEqual([
      `${bad}: steps[1].wait_seconds: must be at least 1 (got 0)`,
      `${bad}: steps[0].next_on_outcome.fail: unknown step ref "fx"`,
    ]);
  });

  it('reports a YAML syntax error with its line, and a missing file', async () => {
    const broken = await tmp.write('broken.yaml', 'name: Broken\nsteps:\n  - {label: Deploy, instruction: Deploy {version}.}\n');

    const result = await runCaptured(['lint', broken, tmp.path('missing.yaml')], env);

    expect(result.code).toBe(1);
    expect(result.stderr).toEqual([
      expect.stringMatching(new RegExp(`^${broken}: \\(document\\): YAML syntax error at line 3, column \\d+: .*quote text that contains a \\{placeholder\\}`)),
      `${tmp.path('missing.yaml')}: cannot read: no such file or directory`,
    ]);
  });

  it('runs as the real executable', async () => {
    const bad = await tmp.write('bin/two-problems.yaml', TWO_PROBLEMS);
    const good = 'test/fixtures/definitions/design-deploy-to-production.yaml';

    const ok = await execFileAsync(process.execPath, ['bin/runbook-bot.mjs', 'lint', good], { cwd: REPO_ROOT });
    const failed = await execFileAsync(process.execPath, ['bin/runbook-bot.mjs', 'lint', good, bad], { cwd: REPO_ROOT }).then(
      () => {
        throw new Error('expected lint to fail');
      },
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

    expect(ok).toEqual({ stdout: `${good}: ok\n`, stderr: '' });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe(`${good}: ok\n`);
    expect(failed.stderr.trimEnd().split('\n')).toHaveLength(2);
    expect(failed.stderr).toContain(`${bad}: steps[0].next_on_outcome.fail: unknown step ref "fx"`);
  });
});

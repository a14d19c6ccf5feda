// `runbook-bot runner`: bad device ids, and a missing, damaged or other device's credential,
// stop it before it connects to anything, with exit code 2 and a message naming the problem
// (never the key). `runner enroll|revoke|credentials` against the test server. (Serving calls
// is tested end to end in test/bot/playbooks.e2e.test.ts with the runner as a real process.)
import { describe, expect, it } from 'vitest';

import { createDeviceKeyPair } from '../../src/runner/device-credential.js';
import { runCaptured, useCliDatabase, useTempDir } from './support/cli.js';

const tmp = useTempDir();
// Nothing listens here: a runner that tried to connect would fail differently.
const env = { MONGODB_URI: 'mongodb://127.0.0.1:1/none', REDIS_URL: 'redis://127.0.0.1:1' };

describe('runner', () => {
  it('refuses to start without a credential, with a damaged one, or with another device’s', async () => {
    const none = await runCaptured(['runner', '--device-id', 'web-01'], env);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('RUNNER_CREDENTIAL: not set; make the device a credential with `runbook-bot runner enroll DEVICE_ID` and give it to this runner');

    const { credential } = createDeviceKeyPair('web-02');
    const damaged = await runCaptured(['runner'], { ...env, RUNNER_CREDENTIAL: `${credential.slice(0, -10)}` });
    expect(damaged.code).toBe(2);
    expect(damaged.stderr.join('\n')).toContain('RUNNER_CREDENTIAL: its key part is damaged (device web-02)');
    expect(damaged.stderr.join('\n')).not.toContain(credential.slice(-30, -10));

    const other = await runCaptured(['runner', '--device-id', 'web-01'], { ...env, RUNNER_CREDENTIAL: credential });
    expect(other.code).toBe(2);
    expect(other.stderr.join('\n')).toContain("RUNNER_CREDENTIAL is device web-02's, but this runner is web-01");
  });

  it('refuses a device id that could not name its queue, from the flag or the config file', async () => {
    const flag = await runCaptured(['runner', '--device-id', 'web:01'], env);
    expect(flag.code).toBe(2);
    expect(flag.stderr.join('\n')).toContain('--device-id must be 1-63 letters, digits');

    const config = await tmp.write('runner.yaml', 'device_id: "web 01"\n');
    const fromFile = await runCaptured(['runner', '--config', config], env);
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr.join('\n')).toContain('device_id: "web 01" must be 1-63 letters, digits');
  });

  it('names the bad field of a runner config file', async () => {
    const config = await tmp.write('runner.yaml', 'device_id: web-01\nrun_command:\n  allow: [bin/rm]\n');
    const result = await runCaptured(['runner', '--config', config], env);
    expect(result.code).toBe(2);
    expect(result.stderr.join('\n')).toContain('run_command.allow[0]: must be a command name or an absolute path');
  });
});

describe('runner enroll, revoke and credentials', () => {
  const db = useCliDatabase();

  it('prints a credential once on stdout alone, lists the device, replaces it on a second enroll and revokes it', async () => {
    const first = await db.cli('runner', 'enroll', 'edge-01');
    expect(first.code).toBe(0);
    expect(first.stdout).toHaveLength(1);
    expect(first.stdout[0]).toMatch(/^rbd1\.edge-01\.[A-Za-z0-9_-]{40,}$/);
    expect(first.stderr).toEqual(['enrolled device edge-01: give the line above to its runner as RUNNER_CREDENTIAL; it is not shown again']);

    const listed = await db.cli('runner', 'credentials');
    expect(listed.stdout[0]).toMatch(/^DEVICE +ENROLLED AT +BY$/);
    expect(listed.stdout[1]).toMatch(/^edge-01 +\S+ +cli:cli-tester$/);
    expect(listed.stdout.join('\n')).not.toContain(first.stdout[0]!.slice(-20));

    const again = await db.cli('runner', 'enroll', 'edge-01');
    expect(again.stdout[0]).not.toBe(first.stdout[0]);
    expect(again.stderr[0]).toContain('(its earlier credential no longer works)');

    expect(await db.cli('runner', 'revoke', 'edge-01')).toEqual({ code: 0, stdout: ['revoked the credential of device edge-01: its results are refused from now on'], stderr: [] });
    expect((await db.cli('runner', 'credentials')).stdout).toEqual(['no devices enrolled']);
    const twice = await db.cli('runner', 'revoke', 'edge-01');
    expect(twice.code).toBe(1);
    expect(twice.stderr[0]).toBe('device edge-01 is not enrolled: nothing to revoke');
  });

  it.each([
    [['runner', 'enroll'], 'missing DEVICE_ID'],
    [['runner', 'enroll', 'web:01'], 'DEVICE_ID "web:01": must be 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit'],
    [['runner', 'enroll', 'a', 'b'], 'unexpected argument "b"'],
    [['runner', 'adopt', 'a'], 'unknown subcommand "adopt" (use enroll, revoke or credentials, or no argument to serve)'],
    [['runner', 'enroll', 'a', '--tags', 'x'], 'runner enroll takes no options'],
  ])('exits 2 naming the problem for %j', async (argv, message) => {
    const result = await db.cli(...argv);
    expect(result.code).toBe(2);
    expect(result.stderr[0]).toBe(message);
  });
});

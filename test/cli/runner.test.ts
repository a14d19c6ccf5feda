// `runbook-bot runner`: bad device ids and a missing one stop it before it connects to
// anything, with exit code 2 and a message naming the problem. (Serving calls is tested
// end to end in test/bot/playbooks.e2e.test.ts with the runner as a real process.)
import { describe, expect, it } from 'vitest';

import { runCaptured, useTempDir } from './support/cli.js';

const tmp = useTempDir();
// Nothing listens here: a runner that tried to connect would fail differently.
const env = { MONGODB_URI: 'mongodb://127.0.0.1:1/none', REDIS_URL: 'redis://127.0.0.1:1' };

describe('runner', () => {
  it('refuses to start without a device id', async () => {
    const result = await runCaptured(['runner'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no device id: pass --device-id ID or set device_id in the runner config');
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

// The README's API examples, run as printed with bash and curl against the service: the
// key from `npx runbook-bot apikey create`, then every call, the device playbooks' on a
// `runbook-bot runner` serving web-01 with the service `web` its config declares. If the
// README drifts from the API, this fails.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { REPO_ROOT } from '../cli/support/cli.js';
import { killQuietly, startRunnerProcess, type RunnerProcess } from '../support/runner-process.js';
import { freePort } from '../support/service-process.js';
import { useApi } from './support/api-rig.js';

const run = promisify(execFile);
const api = useApi({}, { builtinPlaybooks: {} });

let sandbox = '';
let runner: RunnerProcess | undefined;

beforeAll(async () => {
  sandbox = await mkdtemp(join(tmpdir(), 'runbook-bot-readme-'));
  await writeFile(join(sandbox, 'service.mjs'), "import { createServer } from 'node:http';\ncreateServer((q, s) => s.end('ok')).listen(Number(process.argv[2]), '127.0.0.1');\n");
  await writeFile(
    join(sandbox, 'runner.yaml'),
    [`state_dir: ${join(sandbox, 'state')}`, 'services:', '  web:', `    start: [${process.execPath}, ${join(sandbox, 'service.mjs')}, "${await freePort()}"]`, `    pid_file: ${join(sandbox, 'web.pid')}`].join('\n'),
  );
  runner = await startRunnerProcess(['--device-id', 'web-01', '--config', join(sandbox, 'runner.yaml')], api.env());
}, 60_000);

afterAll(async () => {
  await runner?.stop();
  // The declared service outlives its runner, as a real one would.
  killQuietly(-Number(await readFile(join(sandbox, 'web.pid'), 'utf8').catch(() => 'NaN')));
  await rm(sandbox, { recursive: true, force: true });
});

async function apiSectionScripts(): Promise<string[]> {
  const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## API$/m)[1]?.split(/^## /m)[0] ?? '';
  return [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? '');
}

describe('the README’s API section', () => {
  it('has examples that work as printed', { timeout: 120_000 }, async () => {
    const scripts = await apiSectionScripts();
    expect(scripts.length).toBeGreaterThanOrEqual(2);
    const { stdout, stderr } = await run('bash', ['-c', `set -euo pipefail\n${scripts.join('\n')}`], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        MONGODB_URI: `${inject('mongodbUri').replace(/\/$/, '')}/${api.app().db.conn.name}`,
        REDIS_URL: inject('redisUrl'),
        RUNBOOK_BOT_URL: `http://127.0.0.1:${api.app().port}`,
      },
    });
    const lines = stdout.trim().split('\n');
    expect(lines.slice(0, 3)).toEqual(['Deploy', '{"run_status":"running","step":"Deploy","progress":{"total_steps":2,"completed":1,"skipped":0,"failed":0,"remaining":1}}', 'completed']);
    expect(lines[3]).toMatch(/^run_[a-z0-9]{12}$/);
    expect(lines[4]).toBe('granted devices:execute, devices:read to API key apikey:deploy-agent');
    expect(lines[5]).toMatch(/^rnb_[a-z0-9]{12} Service Restart: diagnose, act, wait, verify$/);
    expect(lines[6]).toBe('{"status":"completed","rollbackExecuted":false,"verified":"running"}');
    expect(lines[7]).toMatch(/^run_[a-z0-9]{12} Service Restart ai$/);
    expect(lines).toHaveLength(8);
    expect(stderr).not.toMatch(/error/i);
  });
});

// The README's API examples, run as printed with bash and curl against the service: the
// key from `npx runbook-bot apikey create`, then every call. If the README drifts from the
// API, this fails.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { describe, expect, inject, it } from 'vitest';

import { REPO_ROOT } from '../cli/support/cli.js';
import { useApi } from './support/api-rig.js';

const run = promisify(execFile);
const api = useApi();

async function apiSectionScripts(): Promise<string[]> {
  const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## API$/m)[1]?.split(/^## /m)[0] ?? '';
  return [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? '');
}

describe('the README’s API section', () => {
  it('has examples that work as printed', { timeout: 60_000 }, async () => {
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
    expect(stderr).not.toMatch(/error/i);
  });
});

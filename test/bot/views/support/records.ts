// Fake store records for the view tests. With `i`, the id (and a runbook's name, slug and
// description) are numbered, so a list of them stays distinct; `over` sets anything else.
import type { Device } from '../../../../src/models/device-store.js';
import type { RunSummary } from '../../../../src/models/run-store.js';
import type { RunbookRecord } from '../../../../src/models/runbook-records.js';

export const NOW = 1_700_000_000_000;
export const MIN = 60_000;

const pad = (i: number) => String(i).padStart(12, '0');

/** A running run of "Deploy" v3, started by a Slack user 5 minutes before NOW. */
export function runSummary(over: Partial<RunSummary> = {}, i?: number): RunSummary {
  return {
    id: i === undefined ? 'run_aaaaaaaaaaaa' : `run_${pad(i)}`,
    runbook_id: 'rnb_aaaaaaaaaaaa',
    runbook_name: 'Deploy',
    runbook_version: 3,
    status: 'running',
    started_by: { kind: 'slack', id: 'U012AB3CD' },
    current_step_id: 'rbs_1',
    created_at: NOW - 5 * MIN,
    updated_at: NOW - MIN,
    completed_at: null,
    progress: { total_steps: 4, completed: 1, skipped: 0, failed: 0, remaining: 3 },
    ...over,
  };
}

/** A global, published runbook: latest version 3, published version 2. */
export function runbookRecord(over: Partial<RunbookRecord> = {}, i?: number): RunbookRecord {
  return {
    id: i === undefined ? 'rnb_aaaaaaaaaaaa' : `rnb_${pad(i)}`,
    name: i === undefined ? 'Deploy to Production' : `Runbook ${i}`,
    slug: i === undefined ? 'deploy-to-production' : `runbook-${i}`,
    scope: { type: 'global' },
    status: 'published',
    audience: 'human',
    category: 'deployment',
    tags: ['production'],
    description: i === undefined ? 'Standard deployment.' : `Does thing ${i}.`,
    latest_version: 3,
    published_version: 2,
    forked_from: null,
    builtin: false,
    created_by: { kind: 'cli', id: 'alice' },
    created_at: new Date(0),
    updated_at: new Date(0),
    ...over,
  };
}

/** An online Linux web server whose runner started an hour before NOW and beat 12s ago. */
export function deviceRecord(over: Partial<Device> = {}): Device {
  return {
    id: 'web-01',
    hostname: 'web-01.prod.example.com',
    os: { platform: 'linux', release: '6.1.0-18-amd64', arch: 'x64' },
    tags: ['web', 'production'],
    tools: ['analyze_disk_usage', 'disk_cleanup', 'manage_services'],
    runner_version: '0.4.0',
    session: 'ses_1',
    pid: 4242,
    status: 'online',
    registered_at: NOW - 30 * 24 * 60 * MIN,
    started_at: NOW - 60 * MIN,
    last_seen: NOW - 12_000,
    stopped_at: null,
    ...over,
  };
}

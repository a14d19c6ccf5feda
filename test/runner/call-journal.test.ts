// The call journal on a real folder: a call is new once, then started (counting deliveries)
// until finished, then finished with its result; a file cut short by a crash still counts as
// started; two journals on one folder (two runner processes of one device) agree; old calls
// are pruned.
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createCallJournal, type CallStart } from '../../src/runner/call-journal.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runbook-bot-journal-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const call = (id: string): CallStart => ({ id, run_id: 'run_aaaaaaaaaaaa', step_id: 'rbs_bbbbbbbbbbbb', visit: 1, try: 1, step_type: 'act', device_id: 'web-01', tool: 'run_command', input: { command: 'x' } });

describe('the call journal', () => {
  it('says new, then started with each delivery counted, then finished with the result', async () => {
    let clock = 1_000;
    const journal = createCallJournal(dir, () => clock);
    expect(await journal.begin(call('call-1'))).toMatchObject({ kind: 'new', record: { status: 'running', deliveries: 1, started_at: 1_000 } });
    expect(await journal.begin(call('call-1'))).toMatchObject({ kind: 'started', record: { deliveries: 2 } });
    clock = 1_500;
    await journal.finish('call-1', 1_000, { ok: true, output: { stdout: 'done' }, error: null });
    expect(await journal.begin(call('call-1'))).toMatchObject({ kind: 'finished', record: { status: 'succeeded', output: { stdout: 'done' }, duration_ms: 500 } });
  });

  it('lets exactly one of two journals on one folder take a call on', async () => {
    const a = createCallJournal(dir);
    const b = createCallJournal(dir);
    const outcomes = await Promise.all([a.begin(call('call-2')), b.begin(call('call-2')), a.begin(call('call-2')), b.begin(call('call-2'))]);
    expect(outcomes.filter((o) => o.kind === 'new')).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind === 'started')).toHaveLength(3);
  });

  it('counts a call whose file a crash cut short as started, never as new', async () => {
    await writeFile(join(dir, 'call-3.json'), '{"id":"call-3","sta');
    expect((await createCallJournal(dir).begin(call('call-3'))).kind).toBe('started');
  });

  it('never uses an odd call id as a path', async () => {
    const journal = createCallJournal(dir);
    expect((await journal.begin(call('../../escape'))).kind).toBe('new');
    expect(await journal.get('../../escape')).toMatchObject({ id: '../../escape' });
  });

  it('lists calls newest first and prunes those begun long ago', async () => {
    const journal = createCallJournal(dir);
    await journal.begin(call('call-old'));
    const past = new Date(Date.now() - 8 * 24 * 3600_000);
    await utimes(join(dir, 'call-old.json'), past, past);
    expect(await journal.prune(7 * 24 * 3600_000)).toBe(1);
    expect(await journal.get('call-old')).toBeNull();
    const ids = (await journal.all()).map((r) => r.id);
    expect(ids).toContain('call-2');
    expect(ids).not.toContain('call-old');
  });
});

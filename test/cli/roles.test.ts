// `runbook-bot permissions` with roles: a role everywhere or on one runbook (named by id, name
// or slug and stored by id), the first admin grant switching roles on for good, and the trail
// of refused commands.
import { describe, expect, it } from 'vitest';

import { parseDefinition } from '../../src/engine/definition/index.js';
import { createAccessStore } from '../../src/models/access-store.js';
import { useCliDatabase } from './support/cli.js';

const db = useCliDatabase();

async function runbookNamed(name: string): Promise<string> {
  const parsed = parseDefinition({ name, steps: [{ label: 'Do it' }] });
  if (!parsed.ok) throw new Error('bad test definition');
  return (await db.store().save({ source: parsed.source, author: { kind: 'cli', id: 'tester' }, publish: true })).runbook.id;
}

describe('permissions grant with roles', () => {
  it('grants a role on a runbook named by its slug, stored and listed by its id', async () => {
    const id = await runbookNamed('Restart Billing');

    const granted = await db.cli('permissions', 'grant', 'U0OPS', 'operator@restart-billing', 'viewer');
    const listed = await db.cli('permissions', 'list', 'U0OPS');

    expect(granted).toEqual({ code: 0, stdout: [`granted operator@${id}, viewer to user U0OPS`], stderr: [] });
    expect(listed.stdout[1]).toMatch(new RegExp(`^U0OPS +user +operator@${id},viewer +- `));
  });

  it('revokes a role and says what was not granted', async () => {
    await db.cli('permissions', 'grant', 'S0APPROVERS', 'approver');

    const result = await db.cli('permissions', 'revoke', 'S0APPROVERS', 'approver', 'editor');

    expect(result.stdout).toEqual(['revoked approver from user group S0APPROVERS', 'user group S0APPROVERS was not granted editor; nothing to revoke']);
    expect((await db.cli('permissions', 'list', 'S0APPROVERS')).stdout).toEqual(['user group S0APPROVERS has no roles or permissions']);
  });

  it('refuses a role on a runbook that does not exist, granting nothing', async () => {
    const result = await db.cli('permissions', 'grant', 'U0NOPE', 'viewer', 'operator@no-such-runbook');

    expect(result.code).toBe(1);
    expect(result.stderr[0]).toMatch(/no-such-runbook/);
    expect((await db.cli('permissions', 'list', 'U0NOPE')).stdout).toEqual(['user U0NOPE has no roles or permissions']);
  });

  it('switches roles on with the first admin grant, and keeps them on when every admin is revoked', async () => {
    const state = createAccessStore(db.conn());
    expect(await state.enforcedSince()).toBeNull();

    await db.cli('permissions', 'grant', 'U0BOSS', 'admin');
    const since = await state.enforcedSince();
    await db.cli('permissions', 'revoke', 'U0BOSS', 'admin');

    expect(since).toMatchObject({ by: { kind: 'cli', id: 'cli-tester' } });
    expect(await state.enforcedSince()).toEqual(since);
  });
});

describe('permissions refusals', () => {
  it('lists refused commands, the most recent first, up to --limit', async () => {
    const state = createAccessStore(db.conn());
    await state.recordRefusal({ actor: { kind: 'slack', id: 'U0EARLY' }, action: 'run', runbook_id: null, run_id: null, surface: 'slack', message: 'no' });
    await state.recordRefusal({ actor: { kind: 'api', id: 'apikey:late', name: 'late' }, action: 'approve', runbook_id: 'rnb_aaaaaaaaaaaa', run_id: 'run_bbbbbbbbbbbb', surface: 'mcp', message: 'no' });

    const result = await db.cli('permissions', 'refusals', '--limit', '1');

    expect(result.code).toBe(0);
    expect(result.stdout[0]).toMatch(/^AT +WHO +SURFACE +ACTION +RUNBOOK +RUN$/);
    expect(result.stdout.slice(1)).toHaveLength(1);
    expect(result.stdout[1]).toMatch(/ api:apikey:late \(late\) +mcp +approve +rnb_aaaaaaaaaaaa +run_bbbbbbbbbbbb$/);
  });
});

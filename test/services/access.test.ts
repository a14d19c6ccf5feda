// The access check against the real test server: what people may do before the first admin
// grant and after it, roles everywhere and on one runbook, roles through user groups (asked of
// Slack only when one could decide), API keys held to their scopes plus the roles granted to
// them, and refusals that name the role, say how to get it and are recorded.
import { beforeAll, describe, expect, it } from 'vitest';

import type { Actor } from '../../src/engine/types.js';
import { ErrorCode } from '../../src/errors.js';
import { createAccessStore, type AccessStore } from '../../src/models/access-store.js';
import { createPermissionStore, type PermissionStore } from '../../src/models/permission-store.js';
import { ACTIONS, type Action } from '../../src/models/role-names.js';
import { createAccess, type Access } from '../../src/services/access.js';
import { apiKeyPrincipal, internalPrincipal, personPrincipal, type Principal } from '../../src/services/principal.js';
import { silentLogger } from '../../src/logger.js';
import { useTestDatabase } from '../support/mongo.js';
import { refusal } from '../support/refusal.js';

const db = useTestDatabase();
const admin: Actor = { kind: 'cli', id: 'admin' };
const DISK = { id: 'rnb_disk00000000', name: 'Disk Cleanup' };
const DEPLOY = { id: 'rnb_deploy000000', name: 'Deploy' };
let grants: PermissionStore;
let state: AccessStore;
let access: Access;

beforeAll(() => {
  grants = createPermissionStore(db.conn());
  state = createAccessStore(db.conn());
  access = createAccess({ grants, state, logger: silentLogger });
});

const person = (id: string, groupsOf?: (groups: string[]) => Promise<string[]>): Principal =>
  personPrincipal({ kind: 'slack', id }, { surface: 'slack', ...(groupsOf ? { groupsOf } : {}) });

/** The actions `who` may take, everywhere or on `runbook`. */
async function allowed(who: Principal, runbook?: { id: string; name: string }): Promise<Action[]> {
  const out: Action[] = [];
  for (const action of ACTIONS) if (await access.allows(who, action, runbook ? { runbook } : {})) out.push(action);
  return out;
}

describe('before the first admin grant', () => {
  it('lets every person see, run and approve, and nothing more; keys keep to their scopes', async () => {
    expect(await state.enforcedSince()).toBeNull();
    expect(await allowed(person('U0ANYONE'))).toEqual(['read', 'run', 'approve']);
    expect(await allowed(apiKeyPrincipal('reader', ['read']))).toEqual(['read']);
    expect(await allowed(apiKeyPrincipal('agent', ['read', 'run', 'author']))).toEqual(['read', 'run', 'author', 'publish']);
    expect(await allowed(internalPrincipal({ kind: 'cli', id: 'ops' }))).toEqual([...ACTIONS]);
  });

  it('refuses a person editing runbooks, naming the role it needs', async () => {
    const error = await refusal(access.require(person('U0WRITER'), 'author'));
    expect(error.code).toBe(ErrorCode.Forbidden);
    expect(error.message).toBe('You may not edit runbooks: that needs the editor or admin role. An admin can grant it with `runbook-bot permissions grant U0WRITER editor`.');
  });
});

describe('once an admin is granted', () => {
  beforeAll(async () => {
    await grants.grant('U0ADMIN', ['admin'], admin);
    await state.enforce(admin);
  });

  it('allows each role what the README table says, and a person without one nothing', async () => {
    await grants.grant('U0VIEWER', ['viewer'], admin);
    await grants.grant('U0OPERATOR', ['operator'], admin);
    await grants.grant('U0APPROVER', ['approver'], admin);
    await grants.grant('U0EDITOR', ['editor'], admin);

    expect(await allowed(person('U0NOBODY'))).toEqual([]);
    expect(await allowed(person('U0VIEWER'))).toEqual(['read']);
    expect(await allowed(person('U0OPERATOR'))).toEqual(['read', 'run']);
    expect(await allowed(person('U0APPROVER'))).toEqual(['read', 'approve']);
    expect(await allowed(person('U0EDITOR'))).toEqual(['read', 'author']);
    expect(await allowed(person('U0ADMIN'))).toEqual([...ACTIONS]);
  });

  it('limits a role on one runbook to that runbook, and to nothing that is not about one', async () => {
    await grants.grant('U0DISKOPS', [`operator@${DISK.id}`], admin);

    expect(await allowed(person('U0DISKOPS'), DISK)).toEqual(['read', 'run']);
    expect(await allowed(person('U0DISKOPS'), DEPLOY)).toEqual([]);
    expect(await allowed(person('U0DISKOPS'))).toEqual([]);
    const error = await refusal(access.require(person('U0DISKOPS'), 'run', { runbook: DEPLOY, run_id: 'run_aaaaaaaaaaaa' }));
    expect(error.message).toBe(
      `You may not start or drive runs on “Deploy”: that needs the operator or admin role, everywhere or on this runbook. An admin can grant it with \`runbook-bot permissions grant U0DISKOPS operator@${DEPLOY.id}\`.`,
    );
    expect(error.details).toMatchObject({ action: 'run', actor: 'U0DISKOPS', roles: ['operator', 'admin'], runbook_id: DEPLOY.id });
  });

  it('finds the runbook only when a role on one could decide', async () => {
    let lookups = 0;
    const lazy = async () => {
      lookups += 1;
      return DISK;
    };
    await grants.grant('U0GLOBALOPS', ['operator'], admin);

    expect(await access.allows(person('U0GLOBALOPS'), 'run', { runbook: lazy })).toBe(true);
    expect(lookups).toBe(0);
    expect(await access.allows(person('U0DISKOPS'), 'run', { runbook: lazy })).toBe(true);
    expect(lookups).toBe(1);
  });

  it('counts a role held by a user group the person is in, asking only about groups holding a role that could decide', async () => {
    await grants.grant('S0ONCALL', [`approver@${DISK.id}`], admin);
    await grants.grant('S0READERS', ['viewer'], admin);
    const asked: string[][] = [];
    const inOncall = person('U0CAROL', async (groups) => {
      asked.push(groups);
      return groups.filter((g) => g === 'S0ONCALL');
    });

    expect(await access.allows(inOncall, 'approve', { runbook: DISK })).toBe(true);
    expect(await access.allows(inOncall, 'approve', { runbook: DEPLOY })).toBe(false);
    expect(asked).toEqual([['S0ONCALL']]);
    const outsider = person('U0DAVE', async () => []);
    expect(await access.allows(outsider, 'approve', { runbook: DISK })).toBe(false);
  });

  it('gives an API key its scopes and the roles granted to it as apikey:NAME', async () => {
    await grants.grant('apikey:disk-bot', [`operator@${DISK.id}`], admin);
    const key = apiKeyPrincipal('disk-bot', ['read']);

    expect(await allowed(key, DISK)).toEqual(['read', 'run']);
    expect(await allowed(key, DEPLOY)).toEqual(['read']);
    const error = await refusal(access.require(key, 'run', { runbook: DEPLOY }));
    expect(error.message).toBe(
      `API key "disk-bot" lacks the "run" scope (it has: read) and holds no operator or admin role on “Deploy”. An admin can grant one with \`runbook-bot permissions grant apikey:disk-bot operator@${DEPLOY.id}\`.`,
    );
  });

  it('records each refusal with who, what, where and why, and nothing for what is allowed', async () => {
    const before = (await state.refusals(1000)).length;
    await refusal(access.require(person('U0NOBODY'), 'approve', { runbook: DISK, run_id: 'run_cccccccccccc' }));
    await access.require(person('U0ADMIN'), 'approve', { runbook: DISK });

    const refusals = await state.refusals(1000);
    expect(refusals).toHaveLength(before + 1);
    expect(refusals[0]).toMatchObject({
      actor: { kind: 'slack', id: 'U0NOBODY' },
      action: 'approve',
      runbook_id: DISK.id,
      run_id: 'run_cccccccccccc',
      surface: 'slack',
      message: expect.stringContaining('You may not approve or reject steps on “Disk Cleanup”'),
    });
  });

  it('refuses a runbook that cannot be found as one the caller holds no role on', async () => {
    const error = await refusal(
      access.require(person('U0DISKOPS'), 'run', {
        runbook: async () => {
          throw new Error('not found');
        },
      }),
    );
    expect(error.code).toBe(ErrorCode.Forbidden);
    expect(error.message).toContain('You may not start or drive runs: that needs the operator or admin role.');
  });
});

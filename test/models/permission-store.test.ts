// The permission store against the real test server: grants and revokes as sets that say
// what changed, wildcards, user groups, Slack mention forms, and refusals naming the value.
// Each test uses its own subjects; the database is per file.
import { beforeAll, describe, expect, it } from 'vitest';

import type { Actor } from '../../src/engine/types.js';
import { ErrorCode } from '../../src/errors.js';
import { createPermissionStore, type PermissionStore } from '../../src/models/permission-store.js';
import { useTestDatabase } from '../support/mongo.js';
import { refusal } from '../support/refusal.js';

const db = useTestDatabase();
const admin: Actor = { kind: 'cli', id: 'admin' };
const other: Actor = { kind: 'cli', id: 'other-admin' };
const NOW = Date.parse('2026-03-01T12:00:00Z');
let clock = NOW;
let store: PermissionStore;

beforeAll(() => {
  store = createPermissionStore(db.conn(), () => clock);
});


describe('grant, revoke and list', () => {
  it('round-trips a grant and a revoke, listing permissions sorted with who changed them last', async () => {
    clock = NOW;
    const granted = await store.grant('U0ROUND', ['devices:execute', 'devices:read'], admin);
    clock = NOW + 60_000;
    const revoked = await store.revoke('U0ROUND', ['devices:execute'], other);

    expect(granted).toEqual({ subject: { id: 'U0ROUND', kind: 'user' }, granted: ['devices:execute', 'devices:read'], already: [] });
    expect(revoked).toEqual({ subject: { id: 'U0ROUND', kind: 'user' }, revoked: ['devices:execute'], not_granted: [], still_covered: [] });
    expect(await store.list('U0ROUND')).toEqual([
      { subject: 'U0ROUND', kind: 'user', permissions: ['devices:read'], roles: [], updated_at: new Date(NOW + 60_000), updated_by: { kind: 'cli', id: 'other-admin' } },
    ]);
  });

  it('keeps roles beside permissions: granted, listed, found for a user and their groups, and revoked down to no document', async () => {
    const DISK = 'rnb_disk00000000';
    const granted = await store.grant('U0ROLES', ['viewer', `operator@${DISK}`, 'devices:read'], admin);
    await store.grant('S0ROLEGROUP', ['approver'], admin);

    expect(granted).toMatchObject({ granted: ['devices:read', `operator@${DISK}`, 'viewer'] });
    expect(await store.list('U0ROLES')).toEqual([expect.objectContaining({ permissions: ['devices:read'], roles: [`operator@${DISK}`, 'viewer'] })]);
    expect(await store.rolesOf(['U0ROLES', 'S0ROLEGROUP', 'U0NONE'])).toEqual(['approver', `operator@${DISK}`, 'viewer']);
    expect(await store.groupsWithRoles(['approver', 'admin'])).toEqual(['S0ROLEGROUP']);
    // A role is no permission: `*` would not cover it, and missing() never sees it.
    expect(await store.missing(['viewer:x'], ['U0ROLES'])).toEqual(['viewer:x']);

    const revoked = await store.revoke('U0ROLES', ['viewer', `operator@${DISK}`, 'devices:read', 'editor'], admin);
    expect(revoked).toMatchObject({ revoked: ['devices:read', `operator@${DISK}`, 'viewer'], not_granted: ['editor'] });
    expect(await store.list('U0ROLES')).toEqual([]);
  });

  it('refuses a role on a runbook named otherwise than by its id, granting nothing', async () => {
    const error = await refusal(store.grant('U0SLUGGED', ['viewer', 'operator@disk-cleanup'], admin));
    expect(error.message).toBe('"operator@disk-cleanup" is not a stored role: name a runbook by its id (rnb_…)');
    expect(await store.list('U0SLUGGED')).toEqual([]);
  });

  it('reports a repeated grant as already held and leaves the record untouched', async () => {
    clock = NOW;
    await store.grant('U0TWICE', ['devices:read'], admin);
    clock = NOW + 1000;

    const again = await store.grant('U0TWICE', ['devices:read', 'devices:execute', 'devices:read'], other);
    const third = await store.grant('U0TWICE', ['devices:execute'], admin);

    expect(again).toMatchObject({ granted: ['devices:execute'], already: ['devices:read'] });
    expect(third).toMatchObject({ granted: [], already: ['devices:execute'] });
    expect(await store.list('U0TWICE')).toEqual([expect.objectContaining({ permissions: ['devices:execute', 'devices:read'], updated_by: { kind: 'cli', id: 'other-admin' } })]);
  });

  it('says which permissions were never granted, and which a remaining wildcard still covers', async () => {
    await store.grant('U0PARTIAL', ['devices:*', 'tickets:write'], admin);

    const result = await store.revoke('U0PARTIAL', ['tickets:write', 'devices:execute', 'alerts:ack'], admin);

    expect(result).toEqual({
      subject: { id: 'U0PARTIAL', kind: 'user' },
      revoked: ['tickets:write'],
      not_granted: ['alerts:ack', 'devices:execute'],
      still_covered: [{ permission: 'devices:execute', by: 'devices:*' }],
    });
  });

  it('forgets a subject whose last permission is revoked', async () => {
    await store.grant('U0GONE', ['devices:read'], admin);
    await store.revoke('U0GONE', ['devices:read'], admin);

    expect(await store.list('U0GONE')).toEqual([]);
    expect(await store.list()).not.toContainEqual(expect.objectContaining({ subject: 'U0GONE' }));
    expect(await store.revoke('U0GONE', ['devices:read'], admin)).toMatchObject({ revoked: [], not_granted: ['devices:read'] });
  });

  it('lists every subject by id, users and groups alike', async () => {
    await store.grant('S0LISTED', ['devices:read'], admin);
    await store.grant('W0LISTED', ['*'], admin);

    const all = await store.list();

    const ids = all.map((g) => g.subject);
    expect(ids).toEqual([...ids].sort());
    expect(all.find((g) => g.subject === 'S0LISTED')).toMatchObject({ kind: 'group', permissions: ['devices:read'] });
    expect(all.find((g) => g.subject === 'W0LISTED')).toMatchObject({ kind: 'user', permissions: ['*'] });
  });
});

describe('missing', () => {
  it('returns the required permissions none of the subjects holds, in the order required', async () => {
    await store.grant('U0HALF', ['devices:read'], admin);

    expect(await store.missing(['devices:read', 'devices:execute'], ['U0HALF'])).toEqual(['devices:execute']);
    expect(await store.missing(['devices:execute', 'devices:read'], ['U0NOBODY'])).toEqual(['devices:execute', 'devices:read']);
    expect(await store.missing([], ['U0NOBODY'])).toEqual([]);
  });

  it('counts resource:* as every action on that resource and * as everything', async () => {
    await store.grant('U0DEVICES', ['devices:*'], admin);
    await store.grant('U0ROOT', ['*'], admin);

    expect(await store.missing(['devices:read', 'devices:execute', 'tickets:write'], ['U0DEVICES'])).toEqual(['tickets:write']);
    expect(await store.missing(['devices-extra:read'], ['U0DEVICES'])).toEqual(['devices-extra:read']);
    expect(await store.missing(['devices:read', 'tickets:write', 'alerts:*'], ['U0ROOT'])).toEqual([]);
  });

  it('lets a user group’s grant cover its member when the group is among the subjects', async () => {
    await store.grant('U0MEMBER', ['devices:read'], admin);
    await store.grant('S0ONCALL', ['devices:execute'], admin);

    expect(await store.missing(['devices:read', 'devices:execute'], ['U0MEMBER'])).toEqual(['devices:execute']);
    expect(await store.missing(['devices:read', 'devices:execute'], ['U0MEMBER', 'S0ONCALL'])).toEqual([]);
  });

  it('names the user groups whose grants cover something asked for, wildcards included', async () => {
    await store.grant('S0COVERS', ['reports:*'], admin);
    await store.grant('S0EXACT', ['reports:read'], admin);
    await store.grant('S0UNRELATED', ['tickets:write'], admin);
    await store.grant('U0NOTGROUP', ['reports:read'], admin);

    const groups = await store.groupsCovering(['reports:read']);

    expect(groups).toContain('S0COVERS');
    expect(groups).toContain('S0EXACT');
    expect(groups).not.toContain('S0UNRELATED');
    expect(groups).not.toContain('U0NOTGROUP');
  });
});

describe('API keys as subjects', () => {
  it('grants to apikey:NAME, stored under the whole text, and answers missing for it', async () => {
    const granted = await store.grant('apikey:deploy-bot', ['devices:execute'], admin);

    expect(granted).toEqual({ subject: { id: 'apikey:deploy-bot', kind: 'apikey' }, granted: ['devices:execute'], already: [] });
    expect(await store.list('apikey:deploy-bot')).toEqual([expect.objectContaining({ subject: 'apikey:deploy-bot', kind: 'apikey', permissions: ['devices:execute'] })]);
    expect(await store.missing(['devices:execute', 'devices:read'], ['apikey:deploy-bot'])).toEqual(['devices:read']);
    expect(await store.missing(['devices:execute'], ['apikey:other-bot'])).toEqual(['devices:execute']);
  });

  it('keeps a key’s grants apart from Slack ids and out of the user groups asked about', async () => {
    await store.grant('apikey:s0keyonly', ['keys:*'], admin);

    expect(await store.missing(['keys:read'], ['S0KEYONLY'])).toEqual(['keys:read']);
    expect(await store.groupsCovering(['keys:read'])).not.toContain('apikey:s0keyonly');
    expect(await store.revoke('apikey:s0keyonly', ['keys:*'], admin)).toMatchObject({ subject: { kind: 'apikey' }, revoked: ['keys:*'] });
    expect(await store.list('apikey:s0keyonly')).toEqual([]);
  });

  it('refuses an apikey subject whose name breaks the key name rule, naming the forms', async () => {
    for (const bad of ['apikey:', 'apikey:Deploy', 'apikey:-x', 'apikey:a b', 'APIKEY:x', `apikey:${'x'.repeat(64)}`]) {
      const error = await refusal(store.grant(bad, ['devices:read'], admin));
      expect(error.code).toBe(ErrorCode.Validation);
      expect(error.message).toContain(JSON.stringify(bad));
      expect(error.message).toContain('apikey:NAME');
    }
  });
});

describe('subjects and permissions', () => {
  it('accepts Slack’s mention forms and stores the plain id', async () => {
    expect((await store.grant('<@U0MENTION>', ['devices:read'], admin)).subject).toEqual({ id: 'U0MENTION', kind: 'user' });
    expect((await store.grant('<@U0MENTION|mia>', ['devices:execute'], admin)).already).toEqual([]);
    expect((await store.grant('<!subteam^S0MENTION>', ['devices:read'], admin)).subject).toEqual({ id: 'S0MENTION', kind: 'group' });
    expect((await store.grant('<!subteam^S0MENTION|@ops>', ['devices:read'], admin)).already).toEqual(['devices:read']);

    expect(await store.list('U0MENTION')).toEqual([expect.objectContaining({ subject: 'U0MENTION', permissions: ['devices:execute', 'devices:read'] })]);
    expect(await store.missing(['devices:read'], ['<@U0NOONE>', '<!subteam^S0MENTION>'])).toEqual([]);
  });

  it('refuses anything that is not a Slack user or user group, naming the value and the accepted forms', async () => {
    for (const bad of ['alice', 'C0CHANNEL', 'u0lower', '<@S0GROUP>', '<!subteam^U0USER>', '<#C0CHANNEL>', '']) {
      const error = await refusal(store.grant(bad, ['devices:read'], admin));
      expect(error.code).toBe(ErrorCode.Validation);
      expect(error.message).toContain(JSON.stringify(bad));
      expect(error.message).toContain('<@U123>');
      expect(error.message).toContain('<!subteam^S123>');
    }
    expect((await refusal(store.list('bob'))).code).toBe(ErrorCode.Validation);
  });

  it('refuses a permission that is not resource:action, resource:* or *, naming it, and grants nothing', async () => {
    for (const bad of ['devices', 'Devices:Read', 'devices:ex*', '*:read', 'devices read', 'devices:read:all']) {
      const error = await refusal(store.grant('U0STRICT', ['devices:read', bad], admin));
      expect(error.code).toBe(ErrorCode.Validation);
      expect(error.message).toContain(JSON.stringify(bad));
      expect(error.message).toContain('resource:action');
    }
    expect((await refusal(store.grant('U0STRICT', [], admin))).code).toBe(ErrorCode.Validation);
    expect(await store.list('U0STRICT')).toEqual([]);
  });
});

// `runbook-bot permissions grant|revoke|list`: one line per change saying what happened (or
// that nothing needed to), a table for list, and exit 2 with usage for a bad call.
import { describe, expect, it } from 'vitest';

import { PERMISSION_FORMS } from '../../src/models/permission-names.js';
import { ROLE_FORMS } from '../../src/models/role-names.js';
import { CLI_USER, useCliDatabase } from './support/cli.js';

const db = useCliDatabase();
const USAGE = 'usage: runbook-bot permissions grant|revoke|list|refusals ARGS';
const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/;

describe('permissions grant', () => {
  it('grants to a user and says which permissions the user already had', async () => {
    const first = await db.cli('permissions', 'grant', 'U0GRANT', 'devices:read');
    const second = await db.cli('permissions', 'grant', '<@U0GRANT|gina>', 'devices:read', 'devices:execute');

    expect(first).toEqual({ code: 0, stdout: ['granted devices:read to user U0GRANT'], stderr: [] });
    expect(second).toEqual({ code: 0, stdout: ['granted devices:execute to user U0GRANT', 'user U0GRANT already has devices:read'], stderr: [] });
  });

  it('grants to a user group given as a mention, and says so when nothing changes', async () => {
    await db.cli('permissions', 'grant', '<!subteam^S0ONCALL|@oncall>', 'devices:*');
    const again = await db.cli('permissions', 'grant', 'S0ONCALL', 'devices:*');

    expect(again).toEqual({ code: 0, stdout: ['user group S0ONCALL already has devices:*'], stderr: [] });
  });
});

describe('permissions revoke', () => {
  it('revokes what was granted and says what was not granted', async () => {
    await db.cli('permissions', 'grant', 'U0REVOKE', 'devices:read', 'tickets:write');

    const result = await db.cli('permissions', 'revoke', 'U0REVOKE', 'devices:read', 'devices:execute');

    expect(result).toEqual({
      code: 0,
      stdout: ['revoked devices:read from user U0REVOKE', 'user U0REVOKE was not granted devices:execute; nothing to revoke'],
      stderr: [],
    });
  });

  it('says so when nothing asked for was granted, and when a wildcard still covers it', async () => {
    await db.cli('permissions', 'grant', 'W0WILD', '*');

    const result = await db.cli('permissions', 'revoke', 'W0WILD', 'devices:execute');

    expect(result).toEqual({
      code: 0,
      stdout: ['user W0WILD was not granted devices:execute; nothing to revoke', 'user W0WILD still has devices:execute through *'],
      stderr: [],
    });
  });
});

describe('permissions list', () => {
  it('lists one subject’s grants with who changed them last', async () => {
    await db.cli('permissions', 'grant', 'U0LIST', 'tickets:write', 'alerts:ack');

    const result = await db.cli('permissions', 'list', '<@U0LIST>');

    expect(result.code).toBe(0);
    expect(result.stderr).toEqual([]);
    expect(result.stdout).toHaveLength(2);
    expect(result.stdout[0]).toMatch(/^SUBJECT +KIND +ROLES +PERMISSIONS +UPDATED AT +UPDATED BY$/);
    expect(result.stdout[1]).toMatch(new RegExp(`^U0LIST +user +- +alerts:ack,tickets:write +${ISO.source} +cli:${CLI_USER}$`));
  });

  it('lists every subject, users and groups, by id', async () => {
    await db.cli('permissions', 'grant', 'S0ALL', 'devices:read');
    await db.cli('permissions', 'grant', 'U0ALL', 'devices:read');

    const result = await db.cli('permissions', 'list');

    expect(result.code).toBe(0);
    const subjects = result.stdout.slice(1).map((line) => line.split(/ +/)[0]);
    expect(subjects).toEqual([...subjects].sort());
    expect(result.stdout.find((l) => l.startsWith('S0ALL '))).toMatch(/^S0ALL +group +- +devices:read /);
    expect(result.stdout.find((l) => l.startsWith('U0ALL '))).toMatch(/^U0ALL +user +- +devices:read /);
  });

  it('says when a subject has no permissions', async () => {
    expect(await db.cli('permissions', 'list', 'U0NOBODY')).toEqual({ code: 0, stdout: ['user U0NOBODY has no roles or permissions'], stderr: [] });
  });
});

describe('permissions usage', () => {
  it.each([
    [['permissions'], 'missing grant, revoke, list or refusals'],
    [['permissions', 'give', 'U0X', 'devices:read'], 'unknown subcommand "give" (use grant, revoke, list or refusals)'],
    [['permissions', 'grant'], 'missing SUBJECT and ROLE or PERMISSION'],
    [['permissions', 'revoke', 'U0X'], 'missing ROLE or PERMISSION'],
    [['permissions', 'refusals', '--limit', '0'], '--limit: must be a whole number from 1 to 1000 (got 0)'],
    [['permissions', 'list', '--limit', '5'], '--limit applies to refusals only'],
    [['permissions', 'grant', 'U0X', 'operator@'], `"operator@" is not a role: use ${ROLE_FORMS}`],
    [['permissions', 'list', 'U0X', 'U0Y'], 'unexpected argument "U0Y"'],
    [['permissions', 'grant', 'U0X', '--all'], 'unknown option --all'],
    [
      ['permissions', 'grant', 'alice', 'devices:read'],
      '"alice" is not a Slack user, user group or API key: use a user id (U… or W…), a user group id (S…), a mention such as <@U123> or <!subteam^S123>, or apikey:NAME',
    ],
    [['permissions', 'grant', 'U0X', 'devices:read', 'Devices'], `"Devices" is neither a role nor a permission: use a role (${ROLE_FORMS}) or a permission (${PERMISSION_FORMS})`],
    [['permissions', 'list', '#ops'], '"#ops" is not a Slack user, user group or API key: use a user id (U… or W…), a user group id (S…), a mention such as <@U123> or <!subteam^S123>, or apikey:NAME'],
  ])('exits 2 with usage for %j', async (argv, message) => {
    const result = await db.cli(...argv);

    expect(result.code).toBe(2);
    expect(result.stdout).toEqual([]);
    expect(result.stderr.slice(0, 3)).toEqual([message, '', USAGE]);
  });

  it('names every bad permission at once and grants none of the good ones', async () => {
    const result = await db.cli('permissions', 'grant', 'U0BATCH', 'devices:read', 'x', 'devices:ex*');

    expect(result.code).toBe(2);
    expect(result.stderr[0]).toBe(
      `"x" is neither a role nor a permission: use a role (${ROLE_FORMS}) or a permission (${PERMISSION_FORMS}); ` +
        `"devices:ex*" is neither a role nor a permission: use a role (${ROLE_FORMS}) or a permission (${PERMISSION_FORMS})`,
    );
    expect((await db.cli('permissions', 'list', 'U0BATCH')).stdout).toEqual(['user U0BATCH has no roles or permissions']);
  });

  it('shows the subcommands in its help and in the command list', async () => {
    const one = await db.cli('help', 'permissions');
    const all = await db.cli('help');

    expect(one.code).toBe(0);
    expect(one.stdout.slice(0, 5)).toEqual([
      USAGE,
      '  grant SUBJECT GRANT...   grant roles or permissions to a Slack user, user group or API key',
      '  revoke SUBJECT GRANT...  take them back',
      '  list [SUBJECT]           show the grants, of everyone or of one',
      '  refusals [--limit N]     the most recent refused commands (default 20)',
    ]);
    expect(all.stdout).toContain('  permissions  grant, revoke or list roles and permissions; show refused commands');
  });
});

// `permissions grant|revoke SUBJECT PERMISSION...` and `permissions list [SUBJECT]`: who (a
// Slack user or user group, or an API key) may start runbooks that carry required_permissions
// (DESIGN §2). Grants are sets, so each change says what it did, and what was already so.
import { z } from 'zod';

import type { StoredActor } from '../../models/runbook-subschemas.js';
import { parsePermission, parseSubject, type Subject } from '../../models/permission-names.js';
import type { GrantRecord, GrantResult, RevokeResult } from '../../models/permission-store.js';
import { checkWith, parseArgs } from '../args.js';
import { EXIT_OK, type CliCommand } from '../command.js';
import { formatTable } from '../table.js';
import { createPermissions } from '../../services/permissions.js';

type PermissionsArgs =
  | { action: 'grant' | 'revoke'; subject: string; permissions: string[] }
  | { action: 'list'; subject: string | undefined };

const ACTIONS = ['grant', 'revoke', 'list'] as const;

const PermissionsArgs = z
  .object({ options: z.object({}), positionals: z.array(z.string()) })
  .transform(({ positionals }, ctx): PermissionsArgs => {
    const complain = (message: string) => ctx.issues.push({ code: 'custom', input: positionals, message });
    const checked = checkWith(complain);
    const [action, subject, ...rest] = positionals;
    if (action === undefined) complain('missing grant, revoke or list');
    else if (!(ACTIONS as readonly string[]).includes(action)) complain(`unknown subcommand "${action}" (use grant, revoke or list)`);
    else if (action === 'list') {
      if (rest.length > 0) complain(`unexpected argument "${rest[0]}"`);
      else if (subject !== undefined) checked(subject, parseSubject);
      return { action, subject };
    } else if (subject === undefined) complain('missing SUBJECT and PERMISSION');
    else if (rest.length === 0) complain('missing PERMISSION');
    else {
      checked(subject, parseSubject);
      for (const permission of rest) checked(permission, parsePermission);
      return { action: action as 'grant' | 'revoke', subject, permissions: rest };
    }
    return z.NEVER;
  });

export const permissionsCommand: CliCommand = {
  name: 'permissions',
  summary: 'grant, revoke or list who may start runbooks needing permissions',
  usage: 'permissions grant|revoke|list ARGS',
  details: [
    'grant SUBJECT PERMISSION...   grant permissions to a Slack user, user group or API key',
    'revoke SUBJECT PERMISSION...  take them back',
    'list [SUBJECT]                show the grants, of everyone or of one',
    'SUBJECT: a user id (U… or W…), a user group id (S…), a mention such as',
    "'<@U123>' or '<!subteam^S123>' (quoted: the shell reads < and >), or apikey:NAME",
    'for an API key made with `apikey create NAME`.',
    'PERMISSION: resource:action (such as devices:execute), resource:* or *.',
  ],
  async run(argv, ctx) {
    const args = parseArgs(argv, {}, PermissionsArgs);
    const permissions = createPermissions({ store: await ctx.permissions() });
    const who = ctx.who();
    if (args.action === 'list') {
      for (const line of describeList(await permissions.list(who, args.subject), args.subject)) ctx.io.stdout(line);
    } else if (args.action === 'grant') {
      for (const line of describeGrant(await permissions.grant(who, args.subject, args.permissions))) ctx.io.stdout(line);
    } else {
      for (const line of describeRevoke(await permissions.revoke(who, args.subject, args.permissions))) ctx.io.stdout(line);
    }
    return EXIT_OK;
  },
};

const KIND_WORDS: Record<Subject['kind'], string> = { user: 'user', group: 'user group', apikey: 'API key' };

function named(subject: Subject): string {
  return `${KIND_WORDS[subject.kind]} ${subject.id}`;
}

const joined = (permissions: readonly string[]) => permissions.join(', ');

function describeGrant(result: GrantResult): string[] {
  const who = named(result.subject);
  const lines: string[] = [];
  if (result.granted.length > 0) lines.push(`granted ${joined(result.granted)} to ${who}`);
  if (result.already.length > 0) lines.push(`${who} already has ${joined(result.already)}`);
  return lines;
}

function describeRevoke(result: RevokeResult): string[] {
  const who = named(result.subject);
  const lines: string[] = [];
  if (result.revoked.length > 0) lines.push(`revoked ${joined(result.revoked)} from ${who}`);
  if (result.not_granted.length > 0) lines.push(`${who} was not granted ${joined(result.not_granted)}; nothing to revoke`);
  // Revoking devices:read from someone holding devices:* leaves them able to read: say so.
  for (const { permission, by } of result.still_covered) lines.push(`${who} still has ${permission} through ${by}`);
  return lines;
}

function describeList(grants: readonly GrantRecord[], subject: string | undefined): string[] {
  if (grants.length === 0) return [subject === undefined ? 'no permissions granted' : `${named(parseSubject(subject))} has no permissions`];
  const rows = grants.map((g) => [g.subject, g.kind, g.permissions.join(','), g.updated_at.toISOString(), actor(g.updated_by)]);
  return formatTable(['SUBJECT', 'KIND', 'PERMISSIONS', 'UPDATED AT', 'UPDATED BY'], rows);
}

function actor({ kind, id, name }: StoredActor): string {
  return name === undefined ? `${kind}:${id}` : `${kind}:${id} (${name})`;
}

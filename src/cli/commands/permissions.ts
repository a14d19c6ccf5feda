// `permissions grant|revoke SUBJECT GRANT...`, `permissions list [SUBJECT]` and `permissions
// refusals`: the roles (viewer, operator, approver, editor, admin; everywhere or on one
// runbook) and the permissions runbooks require (DESIGN §2) held by Slack users, user groups
// and API keys. Grants are sets, so each change says what it did, and what was already so.
import { z } from 'zod';

import type { StoredActor } from '../../models/runbook-subschemas.js';
import type { Refusal } from '../../models/access-store.js';
import { parseGrantable, parseSubject, type Subject } from '../../models/permission-names.js';
import { ROLES } from '../../models/role-names.js';
import type { GrantRecord, GrantResult, RevokeResult } from '../../models/permission-store.js';
import { checkWith, parseArgs } from '../args.js';
import { EXIT_OK, type CliCommand } from '../command.js';
import { formatTable } from '../table.js';

type PermissionsArgs =
  | { action: 'grant' | 'revoke'; subject: string; permissions: string[] }
  | { action: 'list'; subject: string | undefined }
  | { action: 'refusals'; limit: number };

const ACTIONS = ['grant', 'revoke', 'list', 'refusals'] as const;
const MAX_REFUSALS = 1_000;

const PermissionsArgs = z
  .object({ options: z.object({ limit: z.string().optional() }), positionals: z.array(z.string()) })
  .transform(({ options, positionals }, ctx): PermissionsArgs => {
    const complain = (message: string) => ctx.issues.push({ code: 'custom', input: positionals, message });
    const checked = checkWith(complain);
    const [action, subject, ...rest] = positionals;
    if (options.limit !== undefined && action !== 'refusals') complain('--limit applies to refusals only');
    if (action === undefined) complain('missing grant, revoke, list or refusals');
    else if (!(ACTIONS as readonly string[]).includes(action)) complain(`unknown subcommand "${action}" (use grant, revoke, list or refusals)`);
    else if (action === 'refusals') {
      const limit = options.limit === undefined ? 20 : Number(options.limit);
      if (subject !== undefined) complain(`unexpected argument "${subject}"`);
      else if (!Number.isInteger(limit) || limit < 1 || limit > MAX_REFUSALS) complain(`--limit: must be a whole number from 1 to ${MAX_REFUSALS} (got ${options.limit})`);
      else return { action, limit };
    } else if (action === 'list') {
      if (rest.length > 0) complain(`unexpected argument "${rest[0]}"`);
      else if (subject !== undefined) checked(subject, parseSubject);
      return { action, subject };
    } else if (subject === undefined) complain('missing SUBJECT and ROLE or PERMISSION');
    else if (rest.length === 0) complain('missing ROLE or PERMISSION');
    else {
      checked(subject, parseSubject);
      for (const permission of rest) checked(permission, parseGrantable);
      return { action: action as 'grant' | 'revoke', subject, permissions: rest };
    }
    return z.NEVER;
  });

export const permissionsCommand: CliCommand = {
  name: 'permissions',
  summary: 'grant, revoke or list roles and permissions; show refused commands',
  usage: 'permissions grant|revoke|list|refusals ARGS',
  details: [
    'grant SUBJECT GRANT...   grant roles or permissions to a Slack user, user group or API key',
    'revoke SUBJECT GRANT...  take them back',
    'list [SUBJECT]           show the grants, of everyone or of one',
    'refusals [--limit N]     the most recent refused commands (default 20)',
    `GRANT: a role (${ROLES.join(', ')}), everywhere, or on one runbook as`,
    'ROLE@RUNBOOK (its id, name or slug); or a permission a runbook requires:',
    'resource:action (such as devices:execute), resource:* or *.',
    'The first admin grant switches roles on: until then everyone may see, start,',
    'drive and approve runs.',
    'SUBJECT: a user id (U… or W…), a user group id (S…), a mention such as',
    "'<@U123>' or '<!subteam^S123>' (quoted: the shell reads < and >), or apikey:NAME",
    'for an API key made with `apikey create NAME`.',
  ],
  async run(argv, ctx) {
    const args = parseArgs(argv, { values: ['limit'] }, PermissionsArgs);
    const permissions = await ctx.permissions();
    const who = ctx.who();
    if (args.action === 'refusals') {
      for (const line of describeRefusals(await permissions.refusals(who, args.limit))) ctx.io.stdout(line);
    } else if (args.action === 'list') {
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
  if (grants.length === 0) return [subject === undefined ? 'no roles or permissions granted' : `${named(parseSubject(subject))} has no roles or permissions`];
  const rows = grants.map((g) => [g.subject, g.kind, g.roles.join(',') || '-', g.permissions.join(',') || '-', g.updated_at.toISOString(), actor(g.updated_by)]);
  return formatTable(['SUBJECT', 'KIND', 'ROLES', 'PERMISSIONS', 'UPDATED AT', 'UPDATED BY'], rows);
}

function describeRefusals(refusals: readonly Refusal[]): string[] {
  if (refusals.length === 0) return ['no refused commands'];
  const rows = refusals.map((r) => [r.at.toISOString(), actor(r.actor), r.surface ?? '-', r.action, r.runbook_id ?? '-', r.run_id ?? '-']);
  return formatTable(['AT', 'WHO', 'SURFACE', 'ACTION', 'RUNBOOK', 'RUN'], rows);
}

function actor({ kind, id, name }: StoredActor): string {
  return name === undefined ? `${kind}:${id}` : `${kind}:${id} (${name})`;
}

// Permissions (DESIGN §2 required_permissions): granting and revoking them, and the rule a
// start applies: the actor (a Slack user, an API key) must hold each permission a runbook
// requires, directly or through a group. Groups are asked about only when grants to groups
// would cover what the actor lacks, so a runbook anyone may start, or an actor granted
// directly, costs no lookup.
import type { Actor, RunbookSnapshot } from '../engine/index.js';
import { AppError, ErrorCode } from '../errors.js';
import type { AccessStore, Refusal } from '../models/access-store.js';
import type { GrantRecord, GrantResult, PermissionStore, RevokeResult } from '../models/permission-store.js';
import { isRoleText, parseRoleText, roleKey } from '../models/role-names.js';
import type { RunbookStore } from '../models/runbook-store.js';
import type { Access } from './access.js';
import type { Principal } from './principal.js';

export type Permissions = ReturnType<typeof createPermissions>;

export interface PermissionsDeps {
  store: Pick<PermissionStore, 'grant' | 'revoke' | 'list'>;
  state: Pick<AccessStore, 'enforce' | 'refusals'>;
  runbooks: Pick<RunbookStore, 'find'>;
  access: Pick<Access, 'require'>;
}

/** Grants of permissions and roles as admins manage them (the CLI today). */
export function createPermissions(deps: PermissionsDeps) {
  /** A role on a runbook named by name or slug becomes a role on its id, as stored. */
  async function stored(values: readonly string[]): Promise<string[]> {
    return Promise.all(
      values.map(async (value) => {
        if (!isRoleText(value)) return value;
        const { role, runbook } = parseRoleText(value);
        return roleKey({ role, runbookId: runbook === null ? null : (await deps.runbooks.find(runbook)).id });
      }),
    );
  }

  return {
    /** The first admin role granted switches roles on for good (access-model.ts). */
    async grant(who: Principal, subject: string, values: readonly string[]): Promise<GrantResult> {
      await deps.access.require(who, 'admin');
      const grants = await stored(values);
      if (grants.includes('admin')) await deps.state.enforce(who.actor);
      return deps.store.grant(subject, grants, who.actor);
    },
    async revoke(who: Principal, subject: string, values: readonly string[]): Promise<RevokeResult> {
      await deps.access.require(who, 'admin');
      return deps.store.revoke(subject, await stored(values), who.actor);
    },
    async list(who: Principal, subject?: string): Promise<GrantRecord[]> {
      await deps.access.require(who, 'admin');
      return deps.store.list(subject);
    },
    /** Refused commands, the most recent first. */
    async refusals(who: Principal, limit: number): Promise<Refusal[]> {
      await deps.access.require(who, 'admin');
      return deps.state.refusals(limit);
    },
  };
}

export interface StartPermissionDeps {
  permissions: Pick<PermissionStore, 'missing' | 'groupsCovering'>;
  /** Which of `candidates` the actor belongs to (Slack user groups); absent for actors without groups. */
  groupsOf?: (actorId: string, candidates: string[]) => Promise<string[]>;
}

/** Throws a `forbidden` AppError naming the runbook, what is missing and how to get it. */
export async function requireStartPermissions(runbook: RunbookSnapshot, actor: Pick<Actor, 'id'>, deps: StartPermissionDeps): Promise<void> {
  const required = runbook.required_permissions;
  if (required.length === 0) return;
  let missing = await deps.permissions.missing(required, [actor.id]);
  if (missing.length > 0 && deps.groupsOf) {
    const groups = await deps.groupsOf(actor.id, await deps.permissions.groupsCovering(missing));
    if (groups.length > 0) missing = await deps.permissions.missing(missing, [actor.id, ...groups]);
  }
  if (missing.length === 0) return;
  throw new AppError(ErrorCode.Forbidden, permissionRefusal(runbook.name, actor.id, missing), {
    details: { runbook_id: runbook.runbook_id, actor: actor.id, missing },
  });
}

/**
 * ``You need devices:execute to start “Disk Cleanup”. An admin can grant it with `runbook-bot …`.``
 * The command names the user by id, not as <@U…>: pasted into a shell, `<` would be a redirection.
 */
export function permissionRefusal(runbookName: string, subject: string, missing: readonly string[]): string {
  const them = missing.length === 1 ? 'it' : 'them';
  return `You need ${listed(missing)} to start “${runbookName}”. An admin can grant ${them} with \`runbook-bot permissions grant ${subject} ${missing.join(' ')}\`.`;
}

function listed(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

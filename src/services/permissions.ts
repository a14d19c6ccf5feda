// Permissions (DESIGN §2 required_permissions): granting and revoking them, and the rule a
// start applies: the actor (a Slack user, an API key) must hold each permission a runbook
// requires, directly or through a group. Groups are asked about only when grants to groups
// would cover what the actor lacks, so a runbook anyone may start, or an actor granted
// directly, costs no lookup.
import type { Actor, RunbookSnapshot } from '../engine/index.js';
import { AppError, ErrorCode } from '../errors.js';
import type { GrantRecord, GrantResult, PermissionStore, RevokeResult } from '../models/permission-store.js';
import { requireScope, type Principal } from './principal.js';

export type Permissions = ReturnType<typeof createPermissions>;

/** Grants as admins manage them (the CLI today). */
export function createPermissions(deps: { store: Pick<PermissionStore, 'grant' | 'revoke' | 'list'> }) {
  return {
    async grant(who: Principal, subject: string, permissions: readonly string[]): Promise<GrantResult> {
      requireScope(who, 'admin');
      return deps.store.grant(subject, permissions, who.actor);
    },
    async revoke(who: Principal, subject: string, permissions: readonly string[]): Promise<RevokeResult> {
      requireScope(who, 'admin');
      return deps.store.revoke(subject, permissions, who.actor);
    },
    async list(who: Principal, subject?: string): Promise<GrantRecord[]> {
      requireScope(who, 'admin');
      return deps.store.list(subject);
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

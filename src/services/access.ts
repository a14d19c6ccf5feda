// Who may do what (roles, role-names.ts), asked by every service method before it acts: a
// refusal changes nothing, says why and how to get the role, and is recorded. Until the first
// admin grant switches roles on, people may do what they could before roles existed (read,
// run, approve); API keys are always held to their scopes and the roles granted to them.
import { AppError, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import type { AccessStore } from '../models/access-store.js';
import type { PermissionStore } from '../models/permission-store.js';
import { ACTION_WORDS, OPEN_ACTIONS, SCOPE_ACTIONS, rolesAllowing, roleKeysAllowing, type Action } from '../models/role-names.js';
import type { ApiScope } from '../models/api-key-names.js';
import type { Principal } from './principal.js';

/** The scope a key would need for an action. */
const SCOPE_FOR: Record<Action, ApiScope> = { read: 'read', run: 'run', approve: 'approve', author: 'author', publish: 'author', admin: 'admin' };

const orList = (items: readonly string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`);

export interface RunbookRef {
  id: string;
  name: string;
}

export interface AccessTarget {
  /** The runbook acted on, or how to find it: asked only when a role on one runbook could decide. */
  runbook?: RunbookRef | (() => Promise<RunbookRef>);
  run_id?: string;
}

export interface AccessDeps {
  grants: Pick<PermissionStore, 'rolesOf' | 'groupsWithRoles'>;
  state: Pick<AccessStore, 'enforcedSince' | 'recordRefusal'>;
  logger: Logger;
}

export type Access = ReturnType<typeof createAccess>;

export function createAccess(deps: AccessDeps) {
  const { grants, state, logger } = deps;
  // Roles, once on, stay on (access-model.ts): only "off" needs asking again, on each command.
  let enforced = false;

  async function runbookOf(target: AccessTarget): Promise<RunbookRef | null> {
    if (target.runbook === undefined) return null;
    if (typeof target.runbook !== 'function') return target.runbook;
    // A runbook that cannot be found is one the caller holds no role on: refused, not told it is missing.
    return target.runbook().catch(() => null);
  }

  /** True when `who` holds a role allowing `action` everywhere, or on the target's runbook. */
  async function holdsRole(who: Principal, action: Action, target: AccessTarget): Promise<boolean> {
    const own = await grants.rolesOf([who.actor.id]);
    const global = roleKeysAllowing(action, null);
    if (own.some((role) => global.includes(role))) return true;
    // Only a role on one runbook (the person's own, or a group's) could still decide.
    if (!own.some((role) => role.includes('@')) && who.groupsOf === undefined) return false;
    const wanted = roleKeysAllowing(action, (await runbookOf(target))?.id ?? null);
    if (own.some((role) => wanted.includes(role))) return true;
    if (!who.groupsOf) return false;
    const candidates = await grants.groupsWithRoles(wanted);
    if (candidates.length === 0) return false;
    const groups = await who.groupsOf(candidates);
    return (await grants.rolesOf(groups)).some((role) => wanted.includes(role));
  }

  async function allows(who: Principal, action: Action, target: AccessTarget): Promise<boolean> {
    if (who.internal) return true;
    if (who.scopes !== null) {
      if (who.scopes.some((scope) => SCOPE_ACTIONS[scope].includes(action))) return true;
      return holdsRole(who, action, target);
    }
    if (!enforced) enforced = (await state.enforcedSince()) !== null;
    if (!enforced) return OPEN_ACTIONS.includes(action);
    return holdsRole(who, action, target);
  }

  function refusal(who: Principal, action: Action, runbook: RunbookRef | null): string {
    const roles = rolesAllowing(action);
    const on = runbook === null ? '' : ` on “${runbook.name}”`;
    const grant = `\`runbook-bot permissions grant ${who.actor.id} ${roles[0] ?? 'admin'}${runbook === null ? '' : `@${runbook.id}`}\``;
    if (who.scopes !== null) {
      const has = who.scopes.join(', ') || 'none';
      return `API key "${who.actor.name ?? who.actor.id}" lacks the "${SCOPE_FOR[action]}" scope (it has: ${has}) and holds no ${orList(roles)} role${on}. An admin can grant one with ${grant}.`;
    }
    const where = runbook === null ? '' : ', everywhere or on this runbook';
    return `You may not ${ACTION_WORDS[action]}${on}: that needs the ${orList(roles)} role${where}. An admin can grant it with ${grant}.`;
  }

  return {
    /** Throws `forbidden` (recorded, with the role that would allow it) unless `who` may do `action`. */
    async require(who: Principal, action: Action, target: AccessTarget = {}): Promise<void> {
      if (await allows(who, action, target)) return;
      const runbook = await runbookOf(target);
      const runbookId = runbook?.id ?? null;
      const message = refusal(who, action, runbook);
      const surface = who.surface ?? who.actor.kind;
      await state
        .recordRefusal({ actor: who.actor, action, runbook_id: runbookId, run_id: target.run_id ?? null, surface, message })
        .catch((error: unknown) => logger.error('could not record a refused command', { error }));
      logger.warn('command refused', { actor: who.actor.id, action, runbook_id: runbookId, run_id: target.run_id ?? null, surface });
      throw new AppError(ErrorCode.Forbidden, message, {
        details: { action, actor: who.actor.id, roles: rolesAllowing(action), ...(runbookId === null ? {} : { runbook_id: runbookId }) },
      });
    },

    allows,
  };
}

/** The start log's line on whether roles are enforced. */
export function describeEnforcement(since: { at: Date; by: { id: string } } | null): string {
  if (since === null) return 'roles are not enforced: everyone may see, start, drive and approve runs until the first `runbook-bot permissions grant SUBJECT admin`';
  return `roles are enforced since ${since.at.toISOString()} (the first admin grant, by ${since.by.id}): each command needs a role that allows it`;
}

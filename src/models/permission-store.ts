// Permission and role grants to Slack users, user groups and API keys, and the questions a
// run start and the access check ask: which of a runbook's required_permissions does none of
// these subjects hold, and which roles do they hold? Grants are
// sets: granting twice or revoking what was never granted changes nothing, and each call
// says what it did change so the CLI can tell the admin.
import type { Connection } from 'mongoose';

import type { Actor } from '../engine/types.js';
import { AppError, ErrorCode } from '../errors.js';
import { permissionGrantModel, type PermissionGrantDoc } from './permission-model.js';
import { covers, grantsCovering, parsePermission, parseSubject, sortedPermissions, type Subject, type SubjectKind } from './permission-names.js';
import { isRoleText, parseRoleKey, roleKey } from './role-names.js';
import { storedActor, type StoredActor } from './runbook-subschemas.js';

export interface GrantRecord {
  subject: string;
  kind: SubjectKind;
  /** Sorted. */
  permissions: string[];
  /** Sorted: `operator`, `operator@rnb_…`. */
  roles: string[];
  updated_at: Date;
  updated_by: StoredActor;
}

export interface GrantResult {
  subject: Subject;
  /** Held now and not before. */
  granted: string[];
  /** Held before already. */
  already: string[];
}

export interface RevokeResult {
  subject: Subject;
  /** Held before and not now. */
  revoked: string[];
  /** Asked for but never held. */
  not_granted: string[];
  /** Asked-for permissions the subject's remaining grants still cover (`devices:*` covers `devices:read`). */
  still_covered: Array<{ permission: string; by: string }>;
}

export type PermissionStore = ReturnType<typeof createPermissionStore>;

function toRecord(doc: PermissionGrantDoc): GrantRecord {
  return { subject: doc._id, kind: doc.kind, permissions: sortedPermissions(doc.permissions), roles: sortedPermissions(doc.roles ?? []), updated_at: doc.updated_at, updated_by: doc.updated_by };
}

/** Permissions and stored role keys (roleKey: a runbook already resolved to its id), apart. */
function parseGrantables(values: readonly string[]): { permissions: string[]; roles: string[] } {
  if (values.length === 0) throw new AppError(ErrorCode.Validation, 'name at least one permission or role');
  const roleTexts = values.filter(isRoleText);
  const roles = roleTexts.map((text) => {
    const grant = parseRoleKey(text.trim());
    if (!grant) throw new AppError(ErrorCode.Validation, `${JSON.stringify(text)} is not a stored role: name a runbook by its id (rnb_…)`, { details: { role: text } });
    return roleKey(grant);
  });
  return { permissions: sortedPermissions(values.filter((v) => !isRoleText(v)).map(parsePermission)), roles: sortedPermissions(roles) };
}

const EMPTY = { permissions: { $size: 0 }, $or: [{ roles: { $exists: false } }, { roles: { $size: 0 } }] };

export function createPermissionStore(conn: Connection, now: () => number = Date.now) {
  const Grants = permissionGrantModel(conn);

  const heldBy = (doc: PermissionGrantDoc | null): string[] => (doc ? [...doc.permissions, ...(doc.roles ?? [])] : []);

  /** A subject's permissions and roles, in one list: the two never share a name. */
  async function held(subject: string): Promise<string[]> {
    return heldBy(await Grants.findById(subject).lean<PermissionGrantDoc>().exec());
  }

  return {
    async grant(subjectText: string, values: readonly string[], by: Actor): Promise<GrantResult> {
      const subject = parseSubject(subjectText);
      const { permissions, roles } = parseGrantables(values);
      const wanted = [...permissions, ...roles];
      const before = new Set(await held(subject.id));
      if (wanted.every((p) => before.has(p))) return { subject, granted: [], already: wanted };
      const at = new Date(now());
      // `before` from the update itself, so what is reported as granted is what this call added.
      const previous = await Grants.findOneAndUpdate(
        { _id: subject.id },
        {
          $addToSet: { permissions: { $each: permissions }, roles: { $each: roles } },
          $set: { updated_at: at, updated_by: storedActor(by) },
          $setOnInsert: { kind: subject.kind, created_at: at },
        },
        { upsert: true, returnDocument: 'before', lean: true },
      ).exec();
      const had = new Set(heldBy(previous as PermissionGrantDoc | null));
      return { subject, granted: wanted.filter((p) => !had.has(p)), already: wanted.filter((p) => had.has(p)) };
    },

    async revoke(subjectText: string, values: readonly string[], by: Actor): Promise<RevokeResult> {
      const subject = parseSubject(subjectText);
      const { permissions, roles } = parseGrantables(values);
      const wanted = [...permissions, ...roles];
      let had = new Set(await held(subject.id));
      if (wanted.some((p) => had.has(p))) {
        const previous = await Grants.findOneAndUpdate(
          { _id: subject.id },
          { $pullAll: { permissions, roles }, $set: { updated_at: new Date(now()), updated_by: storedActor(by) } },
          { returnDocument: 'before', lean: true },
        ).exec();
        had = new Set(heldBy(previous as PermissionGrantDoc | null));
        // Conditional: a grant that lands in between keeps its document.
        await Grants.deleteOne({ _id: subject.id, ...EMPTY }).exec();
      }
      const remaining = [...had].filter((p) => !wanted.includes(p));
      const still_covered = permissions.flatMap((permission) => {
        const by = sortedPermissions(remaining).find((g) => covers(g, permission));
        return by === undefined ? [] : [{ permission, by }];
      });
      return { subject, revoked: wanted.filter((p) => had.has(p)), not_granted: wanted.filter((p) => !had.has(p)), still_covered };
    },

    /** Every subject's grants by id, or one subject's (none: an empty list). */
    async list(subjectText?: string): Promise<GrantRecord[]> {
      const filter = subjectText === undefined ? {} : { _id: parseSubject(subjectText).id };
      const docs = await Grants.find(filter).sort({ _id: 1 }).lean<PermissionGrantDoc[]>().exec();
      return docs.filter((d) => heldBy(d).length > 0).map(toRecord);
    },

    /** The required permissions (in their order) that none of `subjects` (a user and their groups) holds. */
    async missing(required: readonly string[], subjects: readonly string[]): Promise<string[]> {
      const wanted = [...new Set(required)];
      if (wanted.length === 0) return [];
      const ids = subjects.map((s) => parseSubject(s).id);
      const docs = await Grants.find({ _id: { $in: ids } }).lean<PermissionGrantDoc[]>().exec();
      const grants = docs.flatMap((d) => d.permissions);
      return wanted.filter((r) => !grants.some((g) => covers(g, r)));
    },

    /** The stored roles of `subjects` (a user and their groups, or an API key), all together. */
    async rolesOf(subjects: readonly string[]): Promise<string[]> {
      if (subjects.length === 0) return [];
      const docs = await Grants.find({ _id: { $in: [...subjects] } }, { roles: 1 }).lean<PermissionGrantDoc[]>().exec();
      return sortedPermissions(docs.flatMap((d) => d.roles ?? []));
    },

    /** The user groups holding any of the stored `roles`: the ones worth asking Slack about. */
    async groupsWithRoles(roles: readonly string[]): Promise<string[]> {
      if (roles.length === 0) return [];
      const docs = await Grants.find({ kind: 'group', roles: { $in: [...roles] } }, { _id: 1 }).sort({ _id: 1 }).lean<PermissionGrantDoc[]>().exec();
      return docs.map((d) => d._id);
    },

    /** The user groups holding a grant that covers any of `permissions`: the ones worth asking Slack about. */
    async groupsCovering(permissions: readonly string[]): Promise<string[]> {
      if (permissions.length === 0) return [];
      const candidates = [...new Set(permissions.flatMap(grantsCovering))];
      const docs = await Grants.find({ kind: 'group', permissions: { $in: candidates } }).sort({ _id: 1 }).lean<PermissionGrantDoc[]>().exec();
      return docs.map((d) => d._id);
    },
  };
}

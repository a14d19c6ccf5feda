// Who clicked, as the engine sees them. Gate approvers may name Slack user groups
// (S…); the engine checks membership against `actor.groups`, which we resolve here,
// only for the groups the gate names and with a short cache.
import type { WebClient } from '@slack/web-api';

import type { Actor } from '../engine/index.js';
import { silentLogger, type Logger } from '../logger.js';
import { slackErrorCode } from './slack-error.js';

export interface SlackUser {
  id: string;
  name?: string | undefined;
}

export function slackActor(user: SlackUser, groups?: string[]): Actor {
  return {
    kind: 'slack',
    id: user.id,
    ...(user.name ? { name: user.name } : {}),
    ...(groups && groups.length > 0 ? { groups } : {}),
  };
}

const GROUP_ID = /^S[A-Z0-9]{2,}$/;

export type GroupResolver = ReturnType<typeof createGroupResolver>;

export function createGroupResolver(client: WebClient, opts: { ttlMs?: number; clock?: () => number; logger?: Logger } = {}) {
  const ttl = opts.ttlMs ?? 60_000;
  const clock = opts.clock ?? Date.now;
  const logger = opts.logger ?? silentLogger;
  const cache = new Map<string, { users: Set<string>; at: number }>();

  async function members(group: string): Promise<Set<string>> {
    const hit = cache.get(group);
    if (hit && clock() - hit.at < ttl) return hit.users;
    const result = await client.usergroups.users.list({ usergroup: group });
    const users = new Set(result.users ?? []);
    cache.set(group, { users, at: clock() });
    return users;
  }

  return {
    /**
     * The groups among `approvers` that `userId` belongs to. A group Slack will not list
     * (deleted, or no usergroups:read) counts as one the user is not in, so it cannot
     * stop an approver listed by name or through another group.
     */
    async groupsOf(userId: string, approvers: readonly string[]): Promise<string[]> {
      const groups = approvers.filter((a) => GROUP_ID.test(a));
      const isMember = async (group: string): Promise<boolean> => {
        try {
          return (await members(group)).has(userId);
        } catch (error) {
          logger.warn('could not list a user group named as approver; treating the user as not in it', { group, error: slackErrorCode(error) });
          return false;
        }
      };
      const found = await Promise.all(groups.map(async (g) => ((await isMember(g)) ? g : null)));
      return found.filter((g): g is string => g !== null);
    },
  };
}

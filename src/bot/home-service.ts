// App Home: what a user can start, their runs under way (with links to the live messages)
// and recent runs. Built fresh on every app_home_opened, and after a start from Home; once
// roles are on, only for users who may see runbooks and runs.
import type { WebClient } from '@slack/web-api';

import type { Logger } from '../logger.js';
import type { RunMessageStore } from '../models/run-message-store.js';
import type { RunService } from '../services/run-service.js';
import type { RunbookStore } from '../models/runbook-store.js';
import { ACTIVE_STATUSES } from './command-text.js';
import { buildHome, buildHomeWithoutRole } from './views/home.js';

export interface HomeServiceDeps {
  runs: RunService;
  runbooks: Pick<RunbookStore, 'list'>;
  messages: RunMessageStore;
  client: WebClient;
  /** Whether the user may see runbooks and runs (roles, services/access.ts). */
  mayRead: (userId: string) => Promise<boolean>;
  clock: () => number;
  logger: Logger;
}

export type HomeService = ReturnType<typeof createHomeService>;

export function createHomeService(deps: HomeServiceDeps) {
  async function permalink(runId: string, channel: string, ts: string): Promise<string | null> {
    try {
      return (await deps.client.chat.getPermalink({ channel, message_ts: ts })).permalink ?? null;
    } catch (error) {
      deps.logger.warn('no permalink for a run message', { run_id: runId, channel, error });
      return null;
    }
  }

  return {
    async publish(userId: string): Promise<void> {
      if (!(await deps.mayRead(userId))) {
        await deps.client.views.publish({ user_id: userId, view: buildHomeWithoutRole(userId) });
        return;
      }
      const [page, active, recent] = await Promise.all([
        deps.runbooks.list({ status: 'published', limit: 40 }),
        deps.runs.list({ status: [...ACTIVE_STATUSES], startedBy: userId, limit: 20 }),
        deps.runs.list({ limit: 20 }),
      ]);
      const locations = await deps.messages.many(active.map((r) => r.id));
      const activeRuns = await Promise.all(
        active.map(async (run) => {
          const at = locations.get(run.id);
          return { ...run, permalink: at ? await permalink(run.id, at.channel, at.ts) : null };
        }),
      );
      const view = buildHome({ userId, runbooks: page.items, activeRuns, recentRuns: recent, now: deps.clock() });
      await deps.client.views.publish({ user_id: userId, view });
    },
  };
}

// What rendering needs to know about the workspace beyond the blocks themselves: names for
// mentions and authors, and how to show dates. Passed down by context so deeply nested
// mrkdwn can resolve `<@U123>` without threading props through every block.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

import type { DateOptions } from './slack-date.js';
import type { SandboxChannel, SandboxUser } from './types.js';

export interface Workspace {
  users: SandboxUser[];
  channels: SandboxChannel[];
  bot?: { user_id: string; name: string };
  /** Locale, time zone and "now" for dates; unset means the browser's. */
  dates?: DateOptions;
}

export const WorkspaceContext = createContext<Workspace>({ users: [], channels: [] });

export function useWorkspace(): Workspace {
  return useContext(WorkspaceContext);
}

export function userName(ws: Workspace, id: string): string {
  if (ws.bot && id === ws.bot.user_id) return ws.bot.name;
  return ws.users.find((u) => u.id === id)?.name ?? id;
}

export function channelName(ws: Workspace, id: string): string {
  return ws.channels.find((c) => c.id === id)?.name ?? id;
}

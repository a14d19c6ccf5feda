// The page's copy of the sandbox: the state fetched at (re)connect plus the events since.
// Pure functions, so what each user sees is testable without a server or a browser.
import type { Message, SandboxEvent, SandboxState, View, ViewState } from './types.js';

function tsValue(ts: string): number {
  return Number(ts);
}

function byTs(a: Message, b: Message): number {
  return tsValue(a.ts) - tsValue(b.ts);
}

function sameMessage(a: Message, channel: string, ts: string): boolean {
  return a.channel === channel && a.ts === ts;
}

/** The state after one event; events already reflected in the state change nothing. */
export function applyEvent(state: SandboxState, event: SandboxEvent): SandboxState {
  switch (event.type) {
    case 'message': {
      const m = event.message;
      const index = state.messages.findIndex((x) => sameMessage(x, m.channel, m.ts));
      const messages = index === -1 ? [...state.messages, m].sort(byTs) : state.messages.map((x, i) => (i === index ? m : x));
      return { ...state, messages };
    }
    case 'delete':
      return { ...state, messages: state.messages.filter((x) => !sameMessage(x, event.channel, event.ts)) };
    case 'view': {
      const v = event.view;
      // An update keeps the modal where it is in the stack; a new one goes on top.
      const exists = state.views.some((x) => x.id === v.id);
      return { ...state, views: exists ? state.views.map((x) => (x.id === v.id ? v : x)) : [...state.views, v] };
    }
    case 'view_closed':
      return { ...state, views: state.views.filter((x) => x.id !== event.id) };
    case 'home':
      return { ...state, homes: { ...state.homes, [event.user]: event.view } };
    default:
      return state;
  }
}

/** Ephemeral messages are for one person only. */
export function visibleTo(message: Message, user: string): boolean {
  return message.ephemeral_to === undefined || message.ephemeral_to === user;
}

function isThreadReply(m: Message): boolean {
  return m.thread_ts !== undefined && m.thread_ts !== m.ts;
}

/** The channel's messages as its main view shows them: no thread replies, oldest first. */
export function channelMessages(state: SandboxState, channel: string, user: string): Message[] {
  return state.messages.filter((m) => m.channel === channel && !isThreadReply(m) && visibleTo(m, user)).sort(byTs);
}

/** The replies to the message `threadTs`, without it, oldest first. */
export function threadReplies(state: SandboxState, channel: string, threadTs: string, user: string): Message[] {
  return state.messages.filter((m) => m.channel === channel && m.thread_ts === threadTs && m.ts !== threadTs && visibleTo(m, user)).sort(byTs);
}

export function findMessage(state: SandboxState, channel: string, ts: string): Message | undefined {
  return state.messages.find((m) => sameMessage(m, channel, ts));
}

/** Reply counts by parent ts, for the "N replies" link under each thread's parent. */
export function replyCounts(state: SandboxState, channel: string, user: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of state.messages) {
    if (m.channel !== channel || !isThreadReply(m) || !visibleTo(m, user)) continue;
    const parent = m.thread_ts as string;
    counts.set(parent, (counts.get(parent) ?? 0) + 1);
  }
  return counts;
}

/** The user's open modals, bottom of the stack first. */
export function openViews(state: SandboxState, user: string): ViewState[] {
  return state.views.filter((v) => v.user === user);
}

export function homeView(state: SandboxState, user: string): View | undefined {
  return state.homes[user];
}

// The sandbox's HTTP API as its page uses it, for end-to-end tests: a person's live event
// stream, posts to the act endpoints, and the buttons of a message as the page shows it.
import { expect } from 'vitest';

export interface PageMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks?: Array<{ type: string; block_id?: string; elements?: Array<{ action_id?: string; value?: string }>; accessory?: { action_id?: string; value?: string } }>;
  ephemeral_to?: string;
  username?: string;
  edited?: boolean;
}

export type SandboxStream = Awaited<ReturnType<ReturnType<typeof sandboxPage>['openStream']>>;

export const buttonOf = (message: PageMessage, actionId: string) =>
  message.blocks?.flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : [])).find((e) => e.action_id === actionId);

export const messages = (events: Array<Record<string, unknown>>) =>
  events.filter((e) => e.type === 'message').map((e) => e.message as PageMessage);

/** `base` is the sandbox's root URL (http://127.0.0.1:PORT/sandbox). */
export function sandboxPage(base: () => string) {
  /** A page's live stream: every event it got, and a way to wait for one. */
  async function openStream(user: string, tries = 500) {
    const controller = new AbortController();
    const res = await fetch(`${base()}/api/events?user=${user}`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events: Array<Record<string, unknown>> = [];
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    void (async () => {
      let buffered = '';
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buffered += value;
        const frames = buffered.split('\n\n');
        buffered = frames.pop() ?? '';
        for (const frame of frames) if (frame.startsWith('data: ')) events.push(JSON.parse(frame.slice(6)) as Record<string, unknown>);
      }
    })();
    return {
      events,
      async waitFor<T>(probe: (events: Array<Record<string, unknown>>) => T | undefined): Promise<T> {
        for (let i = 0; i < tries; i += 1) {
          const found = probe(events);
          if (found !== undefined) return found;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        throw new Error(`no such event for ${user}; got ${JSON.stringify(events.map((e) => e.type))}`);
      },
      close: () => controller.abort(),
    };
  }

  const post = (path: string, body: unknown) =>
    fetch(`${base()}/api/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  return { openStream, post };
}

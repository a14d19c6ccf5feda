// Server-sent events to the sandbox's pages, one stream per open page, each for the person
// it shows: a message everyone sees goes to every page, an ephemeral or a modal only to the
// pages of the person it is for.
import type { ServerResponse } from 'node:http';

export interface EventStream {
  /** Keeps `res` open as an event stream for `user` until the page goes away. */
  open(user: string, res: ServerResponse): void;
  /** `to` undefined: every page. */
  send(event: Record<string, unknown>, to?: string): void;
  close(): void;
}

/** Proxies drop quiet connections; a comment line now and then keeps the stream open. */
const HEARTBEAT_MS = 15_000;

export function createEventStream(): EventStream {
  const pages = new Set<{ user: string; res: ServerResponse }>();
  const heartbeat = setInterval(() => {
    for (const page of pages) page.res.write(': keep-alive\n\n');
  }, HEARTBEAT_MS);
  heartbeat.unref();
  return {
    open(user, res) {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(': connected\n\n');
      const page = { user, res };
      pages.add(page);
      res.once('close', () => pages.delete(page));
    },
    send(event, to) {
      const frame = `data: ${JSON.stringify(event)}\n\n`;
      for (const page of pages) if (to === undefined || page.user === to) page.res.write(frame);
    },
    close() {
      clearInterval(heartbeat);
      for (const page of pages) page.res.end();
      pages.clear();
    },
  };
}

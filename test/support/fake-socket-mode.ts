// Slack's Socket Mode, faked at its boundary: `apps.connections.open` on the fake Web API
// hands out a loopback WebSocket URL; this server says hello, delivers envelopes and
// collects the app's acks, as Slack's socket server does.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';

import { WebSocketServer, type WebSocket } from 'ws';

import type { FakeSlack } from './fake-slack.js';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface FakeSocketMode {
  /** Resolves once the app has connected and been greeted. */
  connected(timeoutMs?: number): Promise<void>;
  /** Delivers one envelope; resolves with the app's ack payload (undefined when the ack has none). */
  send(type: EnvelopeType, payload: Record<string, unknown>, timeoutMs?: number): Promise<unknown>;
  close(): Promise<void>;
}

export async function startFakeSocketMode(fake: FakeSlack): Promise<FakeSocketMode> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  fake.handle('apps.connections.open', () => ({ url: `ws://127.0.0.1:${port}/link?ticket=${randomUUID()}` }));

  let socket: WebSocket | null = null;
  let onConnect: (() => void) | null = null;
  const acks = new Map<string, (payload: unknown) => void>();

  server.on('connection', (ws) => {
    socket = ws;
    ws.on('message', (data) => {
      const ack = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
      if (ack.envelope_id) acks.get(ack.envelope_id)?.(ack.payload);
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0RUNBOOK' }, debug_info: { host: 'fake' } }));
    onConnect?.();
  });

  const within = <T>(promise: Promise<T>, ms: number, what: string) =>
    Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`fake socket mode: ${what} within ${ms} ms`)), ms).unref())]);

  return {
    connected(timeoutMs = 10_000) {
      if (socket) return Promise.resolve();
      return within(new Promise<void>((resolve) => (onConnect = resolve)), timeoutMs, 'no connection');
    },
    send(type, payload, timeoutMs = 5_000) {
      if (!socket) throw new Error('fake socket mode: the app is not connected');
      const envelope_id = randomUUID();
      const acked = new Promise<unknown>((resolve) => acks.set(envelope_id, resolve));
      socket.send(JSON.stringify({ envelope_id, type, payload, accepts_response_payload: type !== 'events_api', retry_attempt: 0, retry_reason: '' }));
      return within(acked, timeoutMs, `no ack for ${type}`);
    },
    async close() {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

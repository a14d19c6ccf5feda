import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { App, HTTPReceiver } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { LISTENERS, registerListeners, type ListenerDeps } from '../../src/bot/listeners/index.js';
import { ActionId, EventName, SLASH_COMMAND, ViewId } from '../../src/bot/slack-ids.js';
import { silentLogger } from '../../src/logger.js';

interface Manifest {
  features: { app_home: { home_tab_enabled: boolean }; slash_commands: { command: string }[] };
  oauth_config: { scopes: { bot: string[] } };
  settings: { event_subscriptions: { bot_events: string[] }; interactivity: { is_enabled: boolean }; socket_mode_enabled: boolean };
}

const manifest = parse(await readFile('manifest.yml', 'utf8')) as Manifest;

/** The bot scope each Web API method the bot calls needs (none for views.*, auth.test, getPermalink). */
const SCOPE_OF_METHOD: Record<string, string | null> = {
  'chat.postMessage': 'chat:write',
  'chat.update': 'chat:write',
  'chat.postEphemeral': 'chat:write',
  'chat.getPermalink': null,
  'usergroups.users.list': 'usergroups:read',
  'views.open': null,
  'views.publish': null,
  'views.update': null,
  'auth.test': null,
};

/** The subscriptions (and their scopes) behind each event the code listens to. */
const SUBSCRIPTIONS_OF_EVENT: Record<string, { events: string[]; scopes: string[] }> = {
  app_home_opened: { events: ['app_home_opened'], scopes: [] },
  message: { events: ['message.channels', 'message.groups'], scopes: ['channels:history', 'groups:history'] },
};
const subscribed = (events: readonly string[]) => events.flatMap((e) => SUBSCRIPTIONS_OF_EVENT[e]?.events ?? [`(no subscription known for ${e})`]);

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : Promise.resolve([join(dir, e.name)]))));
  return nested.flat().filter((f) => f.endsWith('.ts'));
}

/** Web API methods called as `client.ns.method(` anywhere in src/. */
async function calledMethods(): Promise<Set<string>> {
  const methods = new Set<string>();
  for (const file of await sourceFiles('src')) {
    for (const m of (await readFile(file, 'utf8')).matchAll(/client\.([a-z]+(?:\.[a-zA-Z]+)+)\(/g)) methods.add(m[1] as string);
  }
  return methods;
}

/** What registerListeners installs on a real Bolt App, by kind. */
function registered(): Record<'commands' | 'actions' | 'views' | 'events', string[]> {
  const app = new App({
    token: 'xoxb-manifest-test',
    receiver: new HTTPReceiver({ signingSecret: 'x' }),
    tokenVerificationEnabled: false,
  });
  const seen = { commands: [] as string[], actions: [] as string[], views: [] as string[], events: [] as string[] };
  const record = <K extends 'command' | 'action' | 'view' | 'event'>(method: K, into: string[]) => {
    const original = app[method].bind(app) as (...args: unknown[]) => unknown;
    (app as unknown as Record<string, unknown>)[method] = (id: unknown, ...rest: unknown[]) => {
      into.push(id instanceof RegExp ? id.source : String(id));
      return original(id, ...rest);
    };
  };
  record('command', seen.commands);
  record('action', seen.actions);
  record('view', seen.views);
  record('event', seen.events);
  registerListeners(app, { logger: silentLogger } as unknown as ListenerDeps);
  return seen;
}

const sorted = (xs: readonly string[]) => [...xs].sort();

describe('manifest.yml and the code', () => {
  it('registers exactly the listeners LISTENERS lists', () => {
    const seen = registered();
    expect(sorted(seen.commands)).toEqual(sorted(LISTENERS.commands));
    expect(sorted(seen.views)).toEqual(sorted(LISTENERS.views));
    expect(sorted(seen.events)).toEqual(sorted(LISTENERS.events));
    // The outcome buttons are matched by a pattern (`run_outcome:<outcome>`).
    expect(sorted(seen.actions.map((a) => a.replace(/^\^(\w+)\(.*$/, '$1')))).toEqual(sorted(LISTENERS.actions));
  });

  it('lists every slash command the code registers, and no other', () => {
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual([SLASH_COMMAND]);
    expect(sorted(LISTENERS.commands)).toEqual([SLASH_COMMAND]);
  });

  it('subscribes to exactly the events the code listens to', () => {
    expect(sorted(manifest.settings.event_subscriptions.bot_events)).toEqual(sorted(subscribed(LISTENERS.events)));
    expect(sorted(Object.values(EventName))).toEqual(sorted(LISTENERS.events));
  });

  it('turns on interactivity and App Home because buttons, modals and Home are used', () => {
    expect(manifest.settings.interactivity.is_enabled).toBe(LISTENERS.actions.length + LISTENERS.views.length > 0);
    expect(manifest.features.app_home.home_tab_enabled).toBe((LISTENERS.events as readonly string[]).includes(EventName.AppHomeOpened));
  });

  it('has a listener for every action and view id the views render', () => {
    expect(sorted(Object.values(ActionId))).toEqual(sorted(LISTENERS.actions));
    expect(sorted(Object.values(ViewId))).toEqual(sorted(LISTENERS.views));
  });

  it('asks for exactly the bot scopes the Web API calls in src/ need', async () => {
    const methods = await calledMethods();
    const unknown = [...methods].filter((m) => !Object.hasOwn(SCOPE_OF_METHOD, m));
    expect(unknown, 'add these methods and their scopes to SCOPE_OF_METHOD').toEqual([]);
    const needed = new Set([...methods].map((m) => SCOPE_OF_METHOD[m]).filter((s): s is string => s !== null));
    needed.add('commands'); // the slash command itself
    for (const event of LISTENERS.events) for (const scope of SUBSCRIPTIONS_OF_EVENT[event]?.scopes ?? []) needed.add(scope);
    expect(sorted(manifest.oauth_config.scopes.bot)).toEqual(sorted([...needed]));
  });
});

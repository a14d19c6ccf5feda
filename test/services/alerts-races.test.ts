// Two bot processes handling the same alerts at once, as two instances sharing one database
// would: two alert services, each on its own connection, racing deliveries and clicks. What
// must happen once (an episode's card, its run) must happen once every time, on whatever
// server the suite runs against; on FerretDB v1 only an insert of a unique _id can decide
// that, since it applies a filtered update as a read and then a whole-document write. Slack
// is the AlertCards port (our own interface), faked to count posts; the rest is real.
import type mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';

import type { Alert } from '../../src/alerts/alert.js';
import { parseDefinition } from '../../src/engine/definition/index.js';
import type { Actor, Run } from '../../src/engine/index.js';
import { AppError, ErrorCode } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { createAlertStore, type AlertStore, type ReceiveOutcome } from '../../src/models/alert-store.js';
import { connectMongo } from '../../src/models/connection.js';
import { createDeviceStore } from '../../src/models/device-store.js';
import { createPermissionStore } from '../../src/models/permission-store.js';
import { createRunStore } from '../../src/models/run-store.js';
import { createRunbookStore, type RunbookStore } from '../../src/models/runbook-store.js';
import { createAlertService, type AlertCards, type AlertCardState, type AlertRunStart, type AlertService } from '../../src/services/alerts.js';
import { personPrincipal } from '../../src/services/principal.js';
import { slackActor } from '../../src/bot/slack-actor.js';
import { accessOn } from '../support/access.js';
import { createRunService } from '../../src/services/run-service.js';
import { createRuns, type Runs } from '../../src/services/runs.js';
import { createTestDbName } from '../support/mongo.js';

const RACES = 1_000;
const RESOLVE_RACES = 100;
/** Each click race starts a real run, which costs more than a delivery. */
const RUN_RACES = 100;
const CHANNEL = 'C0RACES';
const publisher: Actor = { kind: 'cli', id: 'race-publisher' };
const alice = { id: 'U0ALICE', name: 'alice' };
const bob = { id: 'U0BOB', name: 'bob' };

/** What the fake Slack was asked to do, by everyone. */
const slack = {
  posts: new Map<string, number>(),
  updates: [] as Array<{ ts: string; card: AlertCardState }>,
  runMessages: new Map<string, number>(),
  serial: 0,
  /** Runs before a post returns; a test makes posts fail or wait with it. */
  beforePost: null as null | ((fingerprint: string) => Promise<void>),
};

const bump = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);

const fakeCards: AlertCards = {
  async post(_where, card) {
    await slack.beforePost?.(card.alert.fingerprint);
    bump(slack.posts, card.alert.fingerprint);
    slack.serial += 1;
    return `1700000000.${String(slack.serial).padStart(6, '0')}`;
  },
  async update(at, card) {
    slack.updates.push({ ts: at.ts, card });
  },
  async postRun(run) {
    bump(slack.runMessages, String(run.trigger.context.alert_id));
  },
};

/** The identity auto_execute runs act as. */
const AUTO_RUN_AS = 'apikey:alerts';

interface Instance {
  store: AlertStore;
  service: AlertService;
  runs: Runs;
  /** runs.start calls for auto-execute, by alert. */
  autoStarts: Map<string, number>;
}

let conns: mongoose.Connection[] = [];
let runbooks: RunbookStore[] = [];

function instance(conn: mongoose.Connection, runbookStore: RunbookStore, leaseMs?: number): Instance {
  const store = createAlertStore(conn, Date.now, leaseMs === undefined ? {} : { leaseMs });
  const devices = createDeviceStore(conn);
  const runStore = createRunStore(conn);
  const runs = createRuns({ runs: createRunService({ runs: runStore, runbooks: runbookStore }), store: runStore, runbooks: runbookStore, permissions: createPermissionStore(conn), devices, access: accessOn(conn) });
  const autoStarts = new Map<string, number>();
  const countedRuns: Pick<Runs, 'start' | 'get'> = {
    get: runs.get,
    start: (who, request, groupsOf) => {
      bump(autoStarts, String(request.trigger?.context.alert_id));
      return runs.start(who, request, groupsOf);
    },
  };
  const service = createAlertService({ store, runbooks: runbookStore, devices, runs: countedRuns, cards: fakeCards, autoExecuteAs: AUTO_RUN_AS, access: accessOn(conn), clock: Date.now, logger: silentLogger });
  return { store, service, runs, autoStarts };
}

/** Two processes; `leaseMs` short for the tests of posters that went quiet. */
const instances = (leaseMs?: number): [Instance, Instance] => [instance(conns[0]!, runbooks[0]!, leaseMs), instance(conns[1]!, runbooks[1]!, leaseMs)];

beforeAll(async () => {
  const name = createTestDbName();
  conns = [await connectMongo(inject('mongodbUri'), name), await connectMongo(inject('mongodbUri'), name)];
  runbooks = conns.map((c) => createRunbookStore(c));
  for (const definition of [
    { name: 'Restart by hand', variables: [{ name: 'serviceName' }], trigger: { alert_types: ['service_down'] }, steps: [{ label: 'Restart {{serviceName}}' }] },
    { name: 'Restart by itself', variables: [{ name: 'serviceName', required: true }], trigger: { alert_types: ['cache_down'], auto_execute: true }, steps: [{ label: 'Restart {{serviceName}}' }] },
  ]) {
    const parsed = parseDefinition(definition);
    if (!parsed.ok) throw new Error(`bad race definition: ${JSON.stringify(parsed.problems)}`);
    await runbooks[0]!.save({ source: parsed.source, author: publisher, publish: true });
  }
});
afterAll(async () => {
  await conns[0]?.dropDatabase();
  await Promise.all(conns.map((c) => c.close()));
});

const alertOf = (fingerprint: string, status: Alert['status'], type = 'service_down'): Alert => ({
  source: 'webhook',
  recognizer: 'generic-webhook',
  type,
  severity: 'high',
  status,
  host: null,
  labels: { service: 'nginx' },
  summary: `${type} on ${fingerprint}`,
  fingerprint,
  started_at: null,
  title_values: null,
  inferred: [],
});

/** One delivery as the webhook makes it (authenticated, so it may auto-run): stored, then acted on. */
async function deliver(at: Instance, alert: Alert): Promise<ReceiveOutcome> {
  const received = await at.store.receive(alert, { channel: CHANNEL });
  await at.service.received(received, { channel: CHANNEL, thread_ts: null }, { mayAutoRun: true });
  return received.outcome;
}

/** The two deliveries' outcomes, in order. */
const both = async (pair: [Instance, Instance], alert: Alert) => (await Promise.all(pair.map((p) => deliver(p, alert)))).sort();

/** A Run click as Slack's start would make it, with a real run. */
const startWith = (at: Instance, user: { id: string; name: string }, starts: { n: number }) => async (input: AlertRunStart) => {
  starts.n += 1;
  const { run } = await at.runs.start(personPrincipal({ kind: 'slack', id: user.id, name: user.name }), { runbook: input.runbook, variables: input.variables, trigger: input.trigger });
  return { kind: 'started' as const, run };
};

const lastUpdateOf = (ts: string) => slack.updates.filter((u) => u.ts === ts).at(-1)?.card;

describe('two processes racing for one alert', () => {
  it(`posts one card when the same new alert reaches both at once, ${RACES} times`, async () => {
    const pair = instances();
    for (let race = 0; race < RACES; race += 1) {
      const fingerprint = `new-${race}`;
      const outcomes = await both(pair, alertOf(fingerprint, 'firing'));
      expect(outcomes, `race ${race}`).toEqual(['new', 'repeat']);
      expect(slack.posts.get(fingerprint), `race ${race}`).toBe(1);
    }
    expect(await pair[1].store.get(`new-${RACES - 1}`)).toMatchObject({ episode: 1, status: 'firing', notifications: 2, card_ts: expect.any(String) });
  }, 120_000);

  it(`opens one new episode with one card when a re-fire after a resolve reaches both at once, ${RACES} times`, async () => {
    const pair = instances();
    const fingerprint = 'flapping';
    expect(await deliver(pair[0], alertOf(fingerprint, 'firing'))).toBe('new');
    for (let race = 0; race < RACES; race += 1) {
      expect(await deliver(pair[race % 2]!, alertOf(fingerprint, 'resolved')), `resolve ${race}`).toBe('resolved');
      expect(await both(pair, alertOf(fingerprint, 'firing')), `re-fire ${race}`).toEqual(['refired', 'repeat']);
      expect(slack.posts.get(fingerprint), `re-fire ${race}`).toBe(race + 2);
    }
    const stored = await pair[1].store.get(fingerprint);
    expect(stored).toMatchObject({ episode: RACES + 1, status: 'firing', resolved_at: null, notifications: 1 + 3 * RACES });
  }, 120_000);

  it(`resolves once when the resolve reaches both at once, ${RESOLVE_RACES} times`, async () => {
    const pair = instances();
    const fingerprint = 'resolving';
    for (let race = 0; race < RESOLVE_RACES; race += 1) {
      expect(await deliver(pair[race % 2]!, alertOf(fingerprint, 'firing')), `fire ${race}`).toBe(race === 0 ? 'new' : 'refired');
      const { card_ts: cardTs } = (await pair[0].store.episode(fingerprint))!;
      expect(await both(pair, alertOf(fingerprint, 'resolved')), `resolve ${race}`).toEqual(['repeat', 'resolved']);
      expect(lastUpdateOf(cardTs!)?.alert.status, `resolve ${race}`).toBe('resolved');
    }
    expect(await pair[1].store.episode(fingerprint)).toMatchObject({ episode: RESOLVE_RACES, status: 'resolved', resolved_at: expect.any(Number) });
  });

  it(`starts one run when Run is clicked on both at once, ${RUN_RACES} times`, async () => {
    const pair = instances();
    const { runbook_id: runbookId } = await runbooks[0]!.snapshotForRun('Restart by hand', {});
    for (let race = 0; race < RUN_RACES; race += 1) {
      const fingerprint = `clicked-${race}`;
      await deliver(pair[race % 2]!, alertOf(fingerprint, 'firing'));
      const starts = { n: 0 };
      const clicks = await Promise.allSettled([
        pair[0].service.run(fingerprint, runbookId, alice, startWith(pair[0], alice, starts)),
        pair[1].service.run(fingerprint, runbookId, bob, startWith(pair[1], bob, starts)),
      ]);
      const started = clicks.flatMap((c) => (c.status === 'fulfilled' ? [c.value.run] : []));
      expect(started, `race ${race}`).toHaveLength(1);
      expect(starts.n, `race ${race}`).toBe(1);
      const refused = clicks.find((c) => c.status === 'rejected');
      expect((refused as PromiseRejectedResult).reason).toMatchObject({ code: ErrorCode.Conflict });
      expect(await pair[(race + 1) % 2]!.store.episode(fingerprint), `race ${race}`).toMatchObject({ run_id: started[0]!.id, decisions: [expect.objectContaining({ action: 'run' })] });
    }
  }, 120_000);

  it('starts an auto_execute playbook once per episode when its alert reaches both at once', async () => {
    const pair = instances();
    for (let race = 0; race < 50; race += 1) {
      const fingerprint = `auto-${race}`;
      await both(pair, alertOf(fingerprint, 'firing', 'cache_down'));
      const starts = (pair[0].autoStarts.get(fingerprint) ?? 0) + (pair[1].autoStarts.get(fingerprint) ?? 0);
      expect(starts, `race ${race}`).toBe(1);
      expect(slack.runMessages.get(fingerprint), `race ${race}`).toBe(1);
      const stored = await pair[0].store.episode(fingerprint);
      expect(stored?.decisions.map((d) => d.action)).toEqual(['auto_run']);
      const run: Run = await pair[1].runs.get(personPrincipal(publisher), stored!.run_id!);
      expect(run).toMatchObject({ started_by: { kind: 'system', id: AUTO_RUN_AS }, variables: { serviceName: 'nginx' } });
      // The card says so, whichever process rendered it last.
      expect(lastUpdateOf(stored!.card_ts!)?.started).toMatchObject({ run_id: run.id, auto: true });
    }
  });
});

describe('cards that did not make it, and cards that must catch up', () => {
  it('posts the card on the next delivery when posting failed (Slack was down)', async () => {
    const pair = instances();
    slack.beforePost = async () => {
      throw new Error('slack is down');
    };
    await expect(deliver(pair[0], alertOf('slack-down', 'firing'))).rejects.toThrow('slack is down');
    slack.beforePost = null;
    expect(slack.posts.get('slack-down')).toBeUndefined();
    expect(await both(pair, alertOf('slack-down', 'firing'))).toEqual(['repeat', 'repeat']);
    expect(slack.posts.get('slack-down')).toBe(1);
    expect(await pair[0].store.get('slack-down')).toMatchObject({ card_ts: expect.any(String), channel: CHANNEL });
  });

  it('posts again only after the lease when the poster went quiet, and only once', async () => {
    const pair = instances(150);
    const never = new Promise<void>(() => undefined);
    slack.beforePost = () => never; // the first poster hangs (a process that died mid-post)
    void deliver(pair[0], alertOf('quiet', 'firing'));
    await vi.waitFor(async () => expect(await pair[1].store.cards.list('quiet', 1)).toHaveLength(1));
    slack.beforePost = null;
    // Within the lease: the card is the first poster's to post.
    expect(await deliver(pair[1], alertOf('quiet', 'firing'))).toBe('repeat');
    expect(slack.posts.get('quiet')).toBeUndefined();
    await new Promise((r) => setTimeout(r, 200));
    expect(await both(pair, alertOf('quiet', 'firing'))).toEqual(['repeat', 'repeat']);
    expect(slack.posts.get('quiet')).toBe(1);
    expect((await pair[0].store.cards.list('quiet', 1)).map((a) => a.card_ts !== null)).toEqual([false, true]);
  });

  it('marks the card resolved when the alert resolved while the card was being posted', async () => {
    const pair = instances();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let posting!: () => void;
    const started = new Promise<void>((r) => (posting = r));
    slack.beforePost = async () => {
      posting();
      await gate;
    };
    const firing = deliver(pair[0], alertOf('quick', 'firing'));
    await started;
    slack.beforePost = null;
    expect(await deliver(pair[1], alertOf('quick', 'resolved'))).toBe('resolved');
    release();
    await firing;
    const stored = await pair[1].store.get('quick');
    expect(stored).toMatchObject({ status: 'resolved', card_ts: expect.any(String) });
    expect(lastUpdateOf(stored!.card_ts!)?.alert.status).toBe('resolved');
  });

  it('shows both a dismiss and a resolve that land at once on two processes', async () => {
    const pair = instances();
    for (let race = 0; race < 50; race += 1) {
      const fingerprint = `dismissed-${race}`;
      await deliver(pair[0], alertOf(fingerprint, 'firing'));
      await Promise.all([pair[race % 2]!.service.dismiss(fingerprint, personPrincipal(slackActor(bob))), deliver(pair[(race + 1) % 2]!, alertOf(fingerprint, 'resolved'))]);
      const { card_ts: cardTs } = (await pair[0].store.episode(fingerprint))!;
      const shown = lastUpdateOf(cardTs!);
      expect(shown?.alert.status, `race ${race}`).toBe('resolved');
      expect(shown?.alert.decisions.map((d) => d.action), `race ${race}`).toEqual(['dismiss']);
    }
  });

  it('lets Run be clicked again after a click that only opened the inputs form', async () => {
    const [a, b] = instances();
    await deliver(a, alertOf('modal', 'firing'));
    const { runbook_id: runbookId } = await runbooks[0]!.snapshotForRun('Restart by hand', {});
    const asked = await a.service.run('modal', runbookId, alice, async () => ({ kind: 'needs_inputs' as const }));
    expect(asked.kind).toBe('needs_inputs');
    const starts = { n: 0 };
    const outcome = await b.service.run('modal', runbookId, alice, startWith(b, alice, starts), { values: { serviceName: 'nginx' }, askForMissing: false });
    expect(outcome.kind).toBe('started');
    await expect(a.service.run('modal', runbookId, bob, startWith(a, bob, starts))).rejects.toThrow(`a run for this alert is already going: ${outcome.run.id}`);
    expect(starts.n).toBe(1);
    expect(await a.store.get('modal')).toMatchObject({ run_id: outcome.run.id, decisions: [expect.objectContaining({ action: 'run', by: expect.objectContaining({ id: alice.id }) })] });
  });

  it('refuses Run on a resolved alert', async () => {
    const [a, b] = instances();
    await deliver(a, alertOf('gone', 'firing'));
    await deliver(b, alertOf('gone', 'resolved'));
    await expect(a.service.run('gone', 'whatever', alice, async () => ({ kind: 'needs_inputs' as const }))).rejects.toEqual(new AppError(ErrorCode.Conflict, 'this alert has resolved; nothing to run'));
  });
});

// The alert store on its own: claims decide, the alert's document follows them (and may lag
// behind them without being wrong), the notifications log counts, and alerts stored before
// episodes are still read.
import { describe, expect, it } from 'vitest';

import type { Alert } from '../../src/alerts/alert.js';
import { alertClaimModel } from '../../src/models/alert-claim-model.js';
import { alertIds } from '../../src/models/alert-ids.js';
import { alertModel, described } from '../../src/models/alert-model.js';
import { createAlertStore } from '../../src/models/alert-store.js';
import { useTestDatabase } from '../support/mongo.js';

const db = useTestDatabase();
const T0 = Date.UTC(2025, 0, 1);

const alertOf = (fingerprint: string, status: Alert['status'], summary = 'nginx down'): Alert => ({
  source: 'webhook',
  recognizer: 'generic-webhook',
  type: 'service_down',
  severity: 'high',
  status,
  host: 'web-01',
  labels: { service: 'nginx', 'a.b': '$x' },
  summary,
  fingerprint,
  started_at: null,
  title_values: null,
  inferred: [],
});

/** A store on a clock the test moves. */
function storeAt(start = T0, leaseMs = 60_000) {
  const clock = { now: start };
  return { clock, store: createAlertStore(db.conn(), () => clock.now, { leaseMs }) };
}

const rawDoc = (fingerprint: string) => alertModel(db.conn()).collection.findOne({ _id: fingerprint as never });

/** What a winner that died after its claim and before writing the document leaves behind. */
async function claimOnly(claim: Record<string, unknown>): Promise<void> {
  await alertClaimModel(db.conn()).collection.insertOne(claim as never);
}

describe('alert store', () => {
  it('stores a new alert as its first episode, and answers what each later notification means', async () => {
    const { clock, store } = storeAt();
    const firing = alertOf('flow-1', 'firing');
    expect((await store.receive(firing, { channel: 'C1' })).outcome).toBe('new');
    clock.now += 1_000;
    expect((await store.receive(firing, { channel: 'C1' })).outcome).toBe('repeat');
    clock.now += 1_000;
    const resolved = await store.receive(alertOf('flow-1', 'resolved'), { channel: 'C1' });
    expect(resolved).toMatchObject({ outcome: 'resolved', alert: { status: 'resolved', episode: 1, resolved_at: T0 + 2_000 } });
    clock.now += 1_000;
    expect((await store.receive(alertOf('flow-1', 'resolved'), { channel: 'C1' })).outcome).toBe('repeat');
    clock.now += 1_000;
    const refired = await store.receive(firing, { channel: 'C2' });
    expect(refired).toMatchObject({ outcome: 'refired', alert: { status: 'firing', episode: 2, episode_started: T0 + 4_000, resolved_at: null, channel: 'C2' } });
    expect(await store.get('flow-1')).toMatchObject({
      ...firing,
      episode: 2,
      first_seen: T0,
      last_seen: T0 + 4_000,
      notifications: 5,
      labels: { service: 'nginx', 'a.b': '$x' },
    });
    // The document says the same, so the next reader has nothing past it to read.
    expect(await rawDoc('flow-1')).toMatchObject({ episode: 2, status: 'firing', channel: 'C2', first_seen: new Date(T0) });
  });

  it('reads a first notification that is a resolve as a repeat, and the firing after it as a new episode', async () => {
    const { store } = storeAt();
    expect((await store.receive(alertOf('late-1', 'resolved'), { channel: null })).outcome).toBe('repeat');
    expect(await store.get('late-1')).toMatchObject({ status: 'resolved', episode: 1 });
    expect((await store.receive(alertOf('late-1', 'firing'), { channel: null })).outcome).toBe('refired');
    expect(await store.get('late-1')).toMatchObject({ status: 'firing', episode: 2 });
  });

  it('keeps to the claims when a winner died before writing the alert’s document', async () => {
    const { clock, store } = storeAt();
    await store.receive(alertOf('crash-1', 'firing'), { channel: 'C1' });
    // Episode 1 resolved, but its winner never wrote the document.
    await claimOnly({ _id: alertIds.resolved('crash-1', 1), kind: 'resolved', fingerprint: 'crash-1', episode: 1, at: new Date(T0 + 1_000) });
    expect(await rawDoc('crash-1')).toMatchObject({ status: 'firing', episode: 1 });
    expect(await store.get('crash-1')).toMatchObject({ status: 'resolved', resolved_at: T0 + 1_000 });
    expect((await store.receive(alertOf('crash-1', 'resolved'), { channel: 'C1' })).outcome).toBe('repeat');

    // A re-fire within the lease of that claim: the document is left to its (late) winner.
    clock.now = T0 + 2_000;
    expect((await store.receive(alertOf('crash-1', 'firing'), { channel: 'C1' })).outcome).toBe('refired');
    expect(await rawDoc('crash-1')).toMatchObject({ status: 'firing', episode: 1 });
    expect(await store.episode('crash-1')).toMatchObject({ status: 'firing', episode: 2 });

    // The next change after the lease: its winner writes the document.
    clock.now = T0 + 120_000;
    expect((await store.receive(alertOf('crash-1', 'resolved'), { channel: 'C1' })).outcome).toBe('resolved');
    expect(await rawDoc('crash-1')).toMatchObject({ status: 'resolved', episode: 2, resolved_at: new Date(T0 + 120_000) });
  });

  it('finds an alert whose first winner died before writing its document at all', async () => {
    const { store } = storeAt();
    await claimOnly({ _id: alertIds.episode('crash-2', 1), kind: 'episode', fingerprint: 'crash-2', episode: 1, at: new Date(T0), status: 'firing', channel: 'C1', ...described(alertOf('crash-2', 'firing')) });
    expect(await store.get('crash-2')).toMatchObject({ status: 'firing', episode: 1, first_seen: T0, notifications: 0 });
    expect((await store.receive(alertOf('crash-2', 'firing'), { channel: 'C1' })).outcome).toBe('repeat');
    expect((await store.receive(alertOf('crash-2', 'resolved'), { channel: 'C1' })).outcome).toBe('resolved');
  });

  it('keeps alerts apart whose fingerprints hold the separator', async () => {
    const { store } = storeAt();
    for (const fingerprint of ['sep', 'sep#1', 'sep#1#resolved', 'sep#2']) expect((await store.receive(alertOf(fingerprint, 'firing'), { channel: null })).outcome).toBe('new');
    expect((await store.receive(alertOf('sep', 'resolved'), { channel: null })).outcome).toBe('resolved');
    expect((await store.receive(alertOf('sep', 'firing'), { channel: null })).outcome).toBe('refired');
    for (const fingerprint of ['sep#1', 'sep#1#resolved', 'sep#2']) expect(await store.get(fingerprint)).toMatchObject({ fingerprint, status: 'firing', episode: 1 });
  });

  it('lists the most recently seen alerts first, however often one of them repeats', async () => {
    const { clock, store } = storeAt(T0 + 86_400_000);
    for (const fingerprint of ['old-a', 'old-b', 'old-c']) {
      clock.now += 1_000;
      await store.receive(alertOf(fingerprint, 'firing'), { channel: null });
    }
    for (let i = 0; i < 30; i += 1) {
      clock.now += 1;
      await store.receive(alertOf('old-a', 'firing'), { channel: null });
    }
    const recent = await store.recent(3);
    expect(recent.map((a) => a.fingerprint)).toEqual(['old-a', 'old-c', 'old-b']);
    expect(recent[0]).toMatchObject({ last_seen: clock.now, status: 'firing' });
  });

  it('reads an alert stored before episodes as its first episode, card and decisions included', async () => {
    const { store } = storeAt(T0 + 2 * 86_400_000);
    const at = new Date(T0 + 2 * 86_400_000 - 60_000);
    await alertModel(db.conn()).collection.insertOne({
      _id: 'legacy-1',
      ...described(alertOf('legacy-1', 'firing')),
      status: 'firing',
      channel: 'C0OLD',
      card_ts: '1700000000.000100',
      thread_ts: '1700000000.000100',
      run_id: 'run_aaaaaaaaaaaa',
      decisions: [{ action: 'run', runbook_id: 'rnb_aaaaaaaaaaaa', run_id: 'run_aaaaaaaaaaaa', by: { kind: 'slack', id: 'U0OLD' }, at }],
      notifications: 7,
      first_seen: at,
      episode_started: at,
      last_seen: at,
      resolved_at: null,
    } as never);
    expect(await store.get('legacy-1')).toMatchObject({
      episode: 1,
      status: 'firing',
      card_ts: '1700000000.000100',
      cards: [{ channel: 'C0OLD', card_ts: '1700000000.000100', thread_ts: '1700000000.000100' }],
      run_id: 'run_aaaaaaaaaaaa',
      decisions: [expect.objectContaining({ action: 'run', run_id: 'run_aaaaaaaaaaaa' })],
      notifications: 7,
      last_seen: at.getTime(),
    });
    expect((await store.recent(100)).map((a) => a.fingerprint)).toContain('legacy-1');
    expect((await store.receive(alertOf('legacy-1', 'resolved'), { channel: 'C0OLD' })).outcome).toBe('resolved');
    expect(await store.get('legacy-1')).toMatchObject({ status: 'resolved', episode: 1, card_ts: '1700000000.000100', notifications: 8 });
    expect((await store.receive(alertOf('legacy-1', 'firing'), { channel: 'C0OLD' })).outcome).toBe('refired');
    expect(await store.get('legacy-1')).toMatchObject({ status: 'firing', episode: 2, card_ts: null, run_id: 'run_aaaaaaaaaaaa' });
  });

  it('counts alerts, not notifications', async () => {
    const { store } = storeAt();
    const before = await store.count();
    await store.receive(alertOf('count-1', 'firing'), { channel: null });
    await store.receive(alertOf('count-1', 'firing'), { channel: null });
    expect(await store.count()).toBe(before + 1);
  });
});

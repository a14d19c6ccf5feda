// The runbook store against the real test server: versions, diff, rollback, lifecycle,
// races and user JSON. Each test uses its own runbook name; the database is per file.
import { beforeAll, describe, expect, it } from 'vitest';

import { canonicalJson, type RunbookSource } from '../../src/engine/definition/index.js';
import { ErrorCode } from '../../src/errors.js';
import { createRunbookStore, type RunbookStore } from '../../src/models/runbook-store.js';
import { useTestDatabase } from '../support/mongo.js';
import { alice, bob, createTestClock, deploy, rejection, reverseKeys, source } from './support/runbooks.js';

const db = useTestDatabase();
let store: RunbookStore;

beforeAll(() => {
  store = createRunbookStore(db.conn(), { now: createTestClock() });
});

describe('save', () => {
  it('creates a draft at v1, and an unchanged source (keys in any order) creates no version', async () => {
    const first = await store.save({ source: deploy({ name: 'Save Once' }), author: alice, note: 'first' });
    const reordered = reverseKeys(deploy({ name: 'Save Once' })) as RunbookSource;

    const again = await store.save({ source: reordered, author: bob });

    expect(first).toMatchObject({ created: true, changed: true, runbook: { status: 'draft', latest_version: 1, slug: 'save-once' } });
    expect(first.runbook.id).toMatch(/^rnb_[a-z0-9]{12}$/);
    expect(again).toMatchObject({ created: false, changed: false, version: { number: 1, note: 'first' } });
    expect(await store.versions(first.runbook.id)).toHaveLength(1);
  });

  it('creates no version when a source only spells out or leaves out defaults', async () => {
    const plain = deploy({ name: 'Defaults Spelled' });
    const first = await store.save({ source: plain, author: alice });
    const spelled = { ...plain, scope: 'global', audience: 'human', steps: plain.steps.map((s) => ({ type: 'action', required: true, ...s })) } as RunbookSource;
    const again = await store.save({ source: spelled, author: bob });
    expect(again).toMatchObject({ changed: false, version: { number: 1 } });
    expect(await store.versions(first.runbook.id)).toHaveLength(1);
  });

  it('appends v2 on a change, keeping the ids of steps matched by ref or label', async () => {
    const v1 = await store.save({ source: deploy({ name: 'Stable Ids' }), author: alice });
    const changed = deploy({ name: 'Stable Ids' });
    changed.steps = [
      { label: 'Pull latest code', instruction: 'Pull {version} from main.' }, // same label
      { label: 'Run all tests', type: 'check', ref: 'tests', next_on_outcome: { pass: 'step:deploy', fail: 'step:fix' } }, // same ref
      { label: 'Fix failures', ref: 'fix', next_on_outcome: { done: 'step:tests' } },
      { label: 'Announce', instruction: 'Tell #releases.' }, // new
      { label: 'Deploy', ref: 'deploy' },
    ];

    const v2 = await store.save({ source: changed, author: bob, note: 'announce first' });

    const ids1 = v1.version.compiled.steps.map((s) => s.id);
    const ids2 = v2.version.compiled.steps.map((s) => s.id);
    expect(v2).toMatchObject({ created: false, changed: true, version: { number: 2 }, runbook: { latest_version: 2 } });
    expect([ids2[0], ids2[1], ids2[2], ids2[4]]).toEqual(ids1);
    expect(ids1).not.toContain(ids2[3]);
    expect(ids2[3]).toMatch(/^rbs_[a-z0-9]{12}$/);
  });

  it('publishes the new latest when asked', async () => {
    const saved = await store.save({ source: deploy({ name: 'Import Publish' }), author: alice, publish: true });

    expect(saved.runbook).toMatchObject({ status: 'published', published_version: 1 });
    expect((await store.history(saved.runbook.id)).map((e) => e.action)).toEqual(['created', 'published']);
  });
});

describe('versions', () => {
  it('lists every version with its author, time and note, and reads one back as written', async () => {
    const v1 = await store.save({ source: deploy({ name: 'History' }), author: alice, note: 'initial' });
    await store.save({ source: deploy({ name: 'History', description: 'Now with notes.' }), author: bob, note: 'describe' });

    const list = await store.versions(v1.runbook.id);
    const one = await store.version(v1.runbook.id, 1);

    expect(list.map((v) => [v.number, v.author, v.note])).toEqual([
      [1, { kind: 'slack', id: 'U0ALICE', name: 'alice' }, 'initial'],
      [2, { kind: 'cli', id: 'bob' }, 'describe'],
    ]);
    expect(list[0]?.created_at).toBeInstanceOf(Date);
    expect(list[1]!.created_at.getTime()).toBeGreaterThan(list[0]!.created_at.getTime());
    expect(canonicalJson(one.source)).toBe(canonicalJson(deploy({ name: 'History' })));
    expect(one.compiled.steps).toHaveLength(4);
  });

  it('names the missing version and the latest one', async () => {
    const saved = await store.save({ source: deploy({ name: 'No Such Version' }), author: alice });

    const e = await rejection(store.version(saved.runbook.id, 7));

    expect(e.code).toBe(ErrorCode.NotFound);
    expect(e.message).toContain('no version 7 (latest is v1)');
  });
});

describe('diff', () => {
  it('reports changed fields and added, removed and changed steps, matched by id', async () => {
    const v1 = await store.save({ source: deploy({ name: 'Diffed' }), author: alice });
    const next = deploy({ name: 'Diffed', description: 'Faster.', tags: ['production'] });
    next.steps = [
      { label: 'Pull latest code', instruction: 'Pull {version} quickly.' },
      { label: 'Run test suite', type: 'check', ref: 'tests', next_on_outcome: { pass: 'step:deploy', fail: null } },
      { label: 'Deploy', ref: 'deploy', instruction: 'Deploy {version}.' },
      { label: 'Smoke test', type: 'check' },
    ];
    const v2 = await store.save({ source: next, author: alice });
    const [pull, tests, fix, deployStep] = v1.version.compiled.steps;
    const smoke = v2.version.compiled.steps[3]!;

    const diff = await store.diff(v1.runbook.id, 1, 2);

    expect(diff.fields).toEqual([
      { field: 'description', from: 'Standard deployment.', to: 'Faster.' },
      { field: 'tags', from: ['production', 'release'], to: ['production'] },
    ]);
    expect(diff.steps_added).toEqual([{ id: smoke.id, position: 4, label: 'Smoke test' }]);
    expect(diff.steps_removed).toEqual([{ id: fix!.id, position: 3, label: 'Fix failures' }]);
    expect(diff.steps_changed.map((s) => [s.id, s.fields.map((f) => f.field)])).toEqual([
      [pull!.id, ['instruction']],
      [tests!.id, ['next_default', 'next_on_outcome']], // by position it went to Fix failures
      [deployStep!.id, ['next_default']], // was the last step; now Smoke test follows
    ]);
    expect(diff.moved).toEqual([]);
    expect(await store.diff(v1.runbook.id, 2, 2)).toMatchObject({ fields: [], steps_changed: [] });
  });
});

describe('rollback', () => {
  it('makes v3 with the content and step ids of v1, and refuses when the latest already has it', async () => {
    const v1 = await store.save({ source: deploy({ name: 'Rolled' }), author: alice });
    await store.save({ source: deploy({ name: 'Rolled', description: 'Broken change.' }), author: bob });

    const v3 = await store.rollback(v1.runbook.id, 1, alice);
    const again = await rejection(store.rollback(v1.runbook.id, 1, alice));

    expect(v3).toMatchObject({ number: 3, rollback_of: 1, note: 'rollback to v1', content_hash: v1.version.content_hash });
    expect(v3.source).toEqual(v1.version.source);
    expect(v3.compiled).toEqual(v1.version.compiled);
    expect((await store.get(v1.runbook.id)).description).toBe('Standard deployment.');
    expect(again.code).toBe(ErrorCode.Conflict);
    expect(await store.versions(v1.runbook.id)).toHaveLength(3);
  });
});

describe('lifecycle', () => {
  it('goes draft → published → archived → draft, and only a published runbook starts runs', async () => {
    const { runbook } = await store.save({ source: deploy({ name: 'Lifecycle' }), author: alice });
    const draftRefusal = await rejection(store.snapshotForRun('Lifecycle'));

    const published = await store.publish(runbook.id, alice);
    const snapshot = await store.snapshotForRun('lifecycle');
    await store.save({ source: deploy({ name: 'Lifecycle', description: 'Edited after publishing.' }), author: bob });
    const pinned = await store.snapshotForRun(runbook.id);
    const archived = await store.archive(runbook.id, bob);
    const archivedRefusal = await rejection(store.snapshotForRun(runbook.id));
    const republish = await rejection(store.publish(runbook.id, alice));
    const drafted = await store.toDraft(runbook.id, alice);

    expect(draftRefusal).toMatchObject({ code: ErrorCode.Conflict, message: 'runbook "Lifecycle" is draft: only published runbooks can start runs' });
    expect(published).toMatchObject({ status: 'published', published_version: 1 });
    expect(snapshot).toMatchObject({ runbook_id: runbook.id, version: 1, name: 'Lifecycle', description: 'Standard deployment.' });
    expect(pinned).toMatchObject({ version: 1, description: 'Standard deployment.' });
    expect(archived.status).toBe('archived');
    expect(archivedRefusal.message).toBe('runbook "Lifecycle" is archived: only published runbooks can start runs');
    expect(republish.code).toBe(ErrorCode.Conflict);
    expect(drafted).toMatchObject({ status: 'draft', published_version: null });
    expect((await store.history(runbook.id)).map((e) => [e.action, e.version, e.actor.id])).toEqual([
      ['created', 1, 'U0ALICE'],
      ['published', 1, 'U0ALICE'],
      ['updated', 2, 'bob'],
      ['archived', 2, 'bob'],
      ['drafted', 2, 'U0ALICE'],
    ]);
  });

  it('republishes at the latest version, and publishing twice is a no-op', async () => {
    const { runbook } = await store.save({ source: deploy({ name: 'Republish' }), author: alice, publish: true });
    await store.save({ source: deploy({ name: 'Republish', description: 'v2' }), author: alice });

    const second = await store.publish(runbook.id, alice);
    await store.publish(runbook.id, alice);

    expect(second).toMatchObject({ status: 'published', published_version: 2 });
    expect((await store.snapshotForRun(runbook.id)).version).toBe(2);
    expect((await store.history(runbook.id)).filter((e) => e.action === 'published')).toHaveLength(2);
  });

  it('hands each caller its own snapshot copy', async () => {
    const { runbook } = await store.save({ source: deploy({ name: 'Cached Snapshot' }), author: alice, publish: true });

    const first = await store.snapshotForRun(runbook.id);
    first.steps[0]!.label = 'mutated by a caller';
    const second = await store.snapshotForRun(runbook.id);

    expect(second.steps[0]!.label).toBe('Pull latest code');
  });

  it('gives every published runbook at its published version, and no draft or archived one', async () => {
    const { runbook: live } = await store.save({ source: deploy({ name: 'Snap Live' }), author: alice, publish: true });
    await store.save({ source: deploy({ name: 'Snap Live', description: 'unpublished edit' }), author: alice });
    await store.save({ source: deploy({ name: 'Snap Draft' }), author: alice });
    const { runbook: gone } = await store.save({ source: deploy({ name: 'Snap Gone' }), author: alice, publish: true });
    await store.archive(gone.id, alice);

    const snapshots = (await store.publishedSnapshots()).filter((s) => s.name.startsWith('Snap '));

    expect(snapshots.map((s) => [s.name, s.runbook_id, s.version, s.description])).toEqual([['Snap Live', live.id, 1, 'Standard deployment.']]);
    expect(snapshots[0]).toEqual(await store.snapshotForRun(live.id));
  });
});

describe('concurrent writers', () => {
  it('land two different saves as v2 and v3: no lost version, no duplicate', async () => {
    const { runbook } = await store.save({ source: deploy({ name: 'Raced' }), author: alice });
    const a = deploy({ name: 'Raced', description: 'change A' });
    const b = deploy({ name: 'Raced', description: 'change B' });

    const results = await Promise.all([store.save({ source: a, author: alice }), store.save({ source: b, author: bob })]);

    const versions = await store.versions(runbook.id);
    const descriptions = await Promise.all([2, 3].map(async (n) => (await store.version(runbook.id, n)).source.description));
    expect(results.map((r) => r.changed)).toEqual([true, true]);
    expect(results.map((r) => r.version.number).sort()).toEqual([2, 3]);
    expect(versions.map((v) => v.number)).toEqual([1, 2, 3]);
    expect(descriptions.sort()).toEqual(['change A', 'change B']);
    expect((await store.get(runbook.id)).latest_version).toBe(3);
  });

  it('keep every version when five writers race', async () => {
    const { runbook } = await store.save({ source: deploy({ name: 'Crowded' }), author: alice });
    const changes = ['a', 'b', 'c', 'd', 'e'].map((tag) => deploy({ name: 'Crowded', description: `change ${tag}` }));

    const results = await Promise.all(changes.map((change) => store.save({ source: change, author: bob })));

    expect(results.map((r) => r.version.number).sort()).toEqual([2, 3, 4, 5, 6]);
    expect((await store.versions(runbook.id)).map((v) => v.number)).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await store.get(runbook.id)).latest_version).toBe(6);
  });

  it('create one runbook when two saves of a new name race', async () => {
    const results = await Promise.all([
      store.save({ source: deploy({ name: 'Born Twice' }), author: alice }),
      store.save({ source: deploy({ name: 'Born Twice', description: 'other' }), author: bob }),
    ]);

    const page = await store.list({ text: 'Born Twice' });
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.runbook.id)).size).toBe(1);
    expect(page.items).toHaveLength(1);
    expect((await store.versions(page.items[0]!.id)).map((v) => v.number)).toEqual([1, 2]);
  });
});

describe('user JSON', () => {
  it('round-trips tool_input and metadata keys containing "." or starting with "$" exactly', async () => {
    // Built directly: the definition schema refuses such keys, but the store must not rely on that.
    const withKeys = source({
      name: 'Dotted Keys',
      steps: [{ label: 'Check disk', type: 'diagnose', tool: 'disk.usage', tool_input: { path: '/' } }],
    });
    const weird = { 'a.b': { $x: 1, 'c.d': [{ $in: ['x'] }] }, $set: null, plain: 'ok' };
    withKeys.steps[0]!.tool_input = structuredClone(weird);
    withKeys.steps[0]!.metadata = structuredClone(weird);

    const saved = await store.save({ source: withKeys, author: alice, publish: true });
    const again = await store.save({ source: structuredClone(withKeys), author: alice });
    const read = await store.version(saved.runbook.id, 1);
    const snapshot = await store.snapshotForRun('Dotted Keys');

    expect(again.changed).toBe(false);
    expect(read.source.steps[0]!.tool_input).toEqual(weird);
    expect(read.source.steps[0]!.metadata).toEqual(weird);
    expect(snapshot.steps[0]!.tool_input).toEqual(weird);
    expect(snapshot.steps[0]!.metadata).toEqual(weird);
  });
});

// Finding and listing runbooks across scopes, slugs, and forks, against the real test server.
import { beforeAll, describe, expect, it } from 'vitest';

import { ErrorCode } from '../../src/errors.js';
import { createRunbookStore, type RunbookStore } from '../../src/models/runbook-store.js';
import { useTestDatabase } from '../support/mongo.js';
import { alice, bob, createTestClock, deploy, rejection } from './support/runbooks.js';

const db = useTestDatabase();
let store: RunbookStore;

beforeAll(() => {
  store = createRunbookStore(db.conn(), { now: createTestClock() });
});

describe('find', () => {
  it('finds a runbook by id, by its name in any case, and by its slug', async () => {
    const { runbook } = await store.save({ source: deploy({ name: 'Restart the Web Tier' }), author: alice });

    const found = await Promise.all(
      [runbook.id, 'restart the web tier', 'RESTART THE WEB TIER', 'restart-the-web-tier'].map((q) => store.find(q)),
    );

    expect(runbook.slug).toBe('restart-the-web-tier');
    expect(found.map((r) => r.id)).toEqual([runbook.id, runbook.id, runbook.id, runbook.id]);
  });

  it('says what it looked for when nothing matches', async () => {
    const e = await rejection(store.find('No Such Runbook', { company: 'acme' }));

    expect(e.code).toBe(ErrorCode.NotFound);
    expect(e.message).toBe('no runbook with id, name or slug "No Such Runbook" (looked in global or company acme runbooks)');
  });

  it("shows a company's runbooks only to that company, preferring them over a global one of the same name", async () => {
    const global = await store.save({ source: deploy({ name: 'Rotate Keys' }), author: alice });
    const acme = await store.save({ source: deploy({ name: 'Rotate Keys', scope: { company: 'acme' } }), author: alice });
    const secret = await store.save({ source: deploy({ name: 'Acme Only', scope: { company: 'acme' } }), author: alice });

    expect(acme.created).toBe(true);
    expect(acme.runbook.scope).toEqual({ type: 'company', company: 'acme' });
    expect((await store.find('rotate keys', { company: 'acme' })).id).toBe(acme.runbook.id);
    expect((await store.find('rotate-keys', { company: 'acme' })).id).toBe(acme.runbook.id);
    expect((await store.find('rotate keys', { company: 'globex' })).id).toBe(global.runbook.id);
    expect((await store.find('rotate keys')).id).toBe(global.runbook.id);
    expect((await rejection(store.find('Acme Only', { company: 'globex' }))).code).toBe(ErrorCode.NotFound);
    expect((await rejection(store.find(secret.runbook.id))).code).toBe(ErrorCode.NotFound);
    expect((await store.find(secret.runbook.id, { company: 'acme' })).name).toBe('Acme Only');
  });

  it('gives names that share a slug distinct slugs', async () => {
    const first = await store.save({ source: deploy({ name: 'Flush: Cache' }), author: alice });
    const second = await store.save({ source: deploy({ name: 'Flush Cache' }), author: alice });

    expect([first.runbook.slug, second.runbook.slug]).toEqual(['flush-cache', 'flush-cache-2']);
    expect((await store.find('flush-cache-2')).id).toBe(second.runbook.id);
    expect((await store.find('Flush Cache')).id).toBe(second.runbook.id); // a name beats a slug
  });
});

describe('list', () => {
  const company = 'listco';
  const names = ['Alpha Check', 'Beta (deploy)', 'Gamma Cleanup', 'Delta Archive'];

  beforeAll(async () => {
    for (const [i, name] of names.entries()) {
      await store.save({
        source: deploy({
          name,
          scope: { company },
          category: i % 2 === 0 ? 'maintenance' : 'deployment',
          tags: i === 0 ? ['rare'] : ['common'],
          description: i === 2 ? 'Removes old files [tmp]*.' : 'Nothing special.',
        }),
        author: alice,
      });
    }
    const archived = await store.find('Delta Archive', { company });
    await store.archive(archived.id, bob);
  });

  const listed = async (opts: Parameters<RunbookStore['list']>[0]) =>
    (await store.list({ company, ...opts })).items.filter((r) => r.scope.type === 'company').map((r) => r.name);

  it('hides archived runbooks unless asked', async () => {
    expect(await listed({})).toEqual(['Alpha Check', 'Beta (deploy)', 'Gamma Cleanup']);
    expect(await listed({ includeArchived: true })).toEqual(['Alpha Check', 'Beta (deploy)', 'Delta Archive', 'Gamma Cleanup']);
    expect(await listed({ status: 'archived' })).toEqual(['Delta Archive']);
  });

  it('filters by category, tag, and text in name or description taken literally', async () => {
    expect(await listed({ category: 'maintenance' })).toEqual(['Alpha Check', 'Gamma Cleanup']);
    expect(await listed({ tag: 'rare' })).toEqual(['Alpha Check']);
    expect(await listed({ text: 'BETA (' })).toEqual(['Beta (deploy)']);
    expect(await listed({ text: '[tmp]*' })).toEqual(['Gamma Cleanup']);
    expect(await listed({ text: '.*' })).toEqual([]);
  });

  it('pages through results with a cursor', async () => {
    const first = await store.list({ company, status: 'draft', category: 'maintenance', limit: 1 });
    const second = await store.list({ company, status: 'draft', category: 'maintenance', limit: 1, cursor: first.next_cursor! });

    expect(first.items.map((r) => r.name)).toEqual(['Alpha Check']);
    expect(second.items.map((r) => r.name)).toEqual(['Gamma Cleanup']);
    expect(second.next_cursor).toBeNull();
    expect((await rejection(store.list({ cursor: 'garbage' }))).code).toBe(ErrorCode.Validation);
  });
});

describe('fork', () => {
  it('copies the latest version into a scope with new ids, remembering where it came from', async () => {
    const original = await store.save({ source: deploy({ name: 'Forkable' }), author: alice });
    await store.save({ source: deploy({ name: 'Forkable', description: 'v2 text' }), author: alice });

    const fork = await store.fork(original.runbook.id, { scope: { type: 'company', company: 'acme' }, author: bob });

    const originalSteps = (await store.version(original.runbook.id, 2)).compiled.steps;
    const forkSteps = fork.version.compiled.steps;
    expect(fork.runbook).toMatchObject({
      name: 'Forkable',
      status: 'draft',
      latest_version: 1,
      scope: { type: 'company', company: 'acme' },
      forked_from: { runbook_id: original.runbook.id, version: 2 },
    });
    expect(fork.runbook.id).not.toBe(original.runbook.id);
    expect(fork.version.source.scope).toEqual({ company: 'acme' });
    expect(fork.version.compiled.description).toBe('v2 text');
    expect(forkSteps.map((s) => s.label)).toEqual(originalSteps.map((s) => s.label));
    expect(forkSteps.some((s) => originalSteps.some((o) => o.id === s.id))).toBe(false);
    // Wiring follows the new ids: "Run test suite" still routes pass → Deploy.
    expect(forkSteps[1]!.next_on_outcome).toEqual({ pass: forkSteps[3]!.id, fail: forkSteps[2]!.id });
    expect((await store.history(fork.runbook.id)).map((e) => e.action)).toEqual(['forked']);
  });

  it('is independent: changing the fork leaves the original as it was', async () => {
    const original = await store.save({ source: deploy({ name: 'Independent' }), author: alice });
    const fork = await store.fork(original.runbook.id, { scope: { type: 'global' }, name: 'Independent Copy', author: bob });

    await store.save({ source: deploy({ name: 'Independent Copy', description: 'changed in the fork' }), author: bob });

    expect((await store.get(original.runbook.id)).latest_version).toBe(1);
    expect((await store.version(original.runbook.id, 1)).compiled.description).toBe('Standard deployment.');
    expect((await store.get(fork.runbook.id)).latest_version).toBe(2);
  });

  it('refuses a name already used in the target scope', async () => {
    const original = await store.save({ source: deploy({ name: 'Taken Name' }), author: alice });

    const e = await rejection(store.fork(original.runbook.id, { scope: { type: 'global' }, author: bob }));

    expect(e.code).toBe(ErrorCode.Conflict);
    expect(e.message).toBe('a runbook named "Taken Name" already exists in global scope');
  });

  it('remaps explicit step ids and id targets to new ones', async () => {
    const ids = ['rbs_aaaaaaaaaaaa', 'rbs_bbbbbbbbbbbb'];
    const original = await store.save({
      source: deploy({
        name: 'Explicit Ids',
        steps: [
          { id: ids[0], label: 'First', next_default: ids[1] },
          { id: ids[1], label: 'Second' },
        ],
      }),
      author: alice,
    });

    const fork = await store.fork(original.runbook.id, { scope: { type: 'company', company: 'acme' }, author: bob });

    const [first, second] = fork.version.source.steps;
    expect(original.version.compiled.steps.map((s) => s.id)).toEqual(ids);
    expect(ids).not.toContain(first!.id);
    expect(first!.next_default).toBe(second!.id);
    expect(fork.version.compiled.steps.map((s) => s.id)).toEqual([first!.id, second!.id]);
  });
});

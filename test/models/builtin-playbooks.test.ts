// The built-in playbooks of reference 001: the shipped YAML files, their sync into the store
// (created once, a version per changed file, safe when two processes start at once) and the
// store refusing every user's change to them. Tests that change the built-ins take a fresh
// database of their own; the rest share the file's.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type mongoose from 'mongoose';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';

import type { RunbookSource } from '../../src/engine/definition/index.js';
import { ErrorCode } from '../../src/errors.js';
import { DEFAULT_PLAYBOOKS_DIR, readBuiltinPlaybooks, type BuiltinPlaybook } from '../../src/models/builtin-playbook-files.js';
import { syncBuiltinPlaybooks, SYSTEM_AUTHOR } from '../../src/models/builtin-playbooks.js';
import { connectMongo } from '../../src/models/connection.js';
import { createRunbookStore, type RunbookStore } from '../../src/models/runbook-store.js';
import { createTestDbName, useTestDatabase } from '../support/mongo.js';
import { alice, createTestClock, rejection } from './support/runbooks.js';

const NAMES = ['Disk Cleanup', 'Memory Pressure Relief', 'Service Restart'];
const READ_ONLY = /^runbook "Disk Cleanup" is a built-in playbook and is read-only: to change it, export it and import the copy under another name$/;
const CATEGORIES = ['temp', 'browser_cache', 'package_cache', 'trash'];

const db = useTestDatabase();
let store: RunbookStore;
let shipped: BuiltinPlaybook[];

beforeAll(async () => {
  store = createRunbookStore(db.conn(), { now: createTestClock() });
  shipped = (await readBuiltinPlaybooks()).playbooks;
  await syncBuiltinPlaybooks(store);
});

// Fresh databases and temp dirs for the tests that change built-ins, removed after each test.
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function freshConnection(dbName = createTestDbName()): Promise<mongoose.Connection> {
  const conn = await connectMongo(inject('mongodbUri'), dbName);
  cleanups.push(async () => {
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
  });
  return conn;
}

async function freshStore(): Promise<RunbookStore> {
  return createRunbookStore(await freshConnection(), { now: createTestClock() });
}

/** A copy of playbooks/ that a test can edit. */
async function playbooksCopy(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'runbook-bot-playbooks-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await cp(DEFAULT_PLAYBOOKS_DIR, dir, { recursive: true });
  return dir;
}

async function editFile(dir: string, file: string, edit: (text: string) => string): Promise<void> {
  const path = join(dir, file);
  const text = await readFile(path, 'utf8');
  const edited = edit(text);
  expect(edited).not.toBe(text);
  await writeFile(path, edited);
}

function playbook(name: string): RunbookSource {
  const found = shipped.find((p) => p.source.name === name);
  if (found === undefined) throw new Error(`no shipped playbook named ${name}`);
  return found.source;
}

/** [type, tool, tool_input] of each step, in order. */
const stepsOf = (source: RunbookSource) => source.steps.map((s) => [s.type, s.tool, s.tool_input]);

describe('the shipped playbook files', () => {
  it('are the three playbooks of reference 001, each parsing without problems', async () => {
    const { playbooks, problems } = await readBuiltinPlaybooks();

    expect(problems).toEqual([]);
    expect(playbooks.map((p) => [p.key, p.source.name, p.source.category])).toEqual([
      ['disk-cleanup', 'Disk Cleanup', 'disk'],
      ['memory-pressure-relief', 'Memory Pressure Relief', 'memory'],
      ['service-restart', 'Service Restart', 'service'],
    ]);
  });

  it('are global, agentic, require devices:read and devices:execute, and describe every step', () => {
    for (const { source } of shipped) {
      expect(source).toMatchObject({ scope: 'global', audience: 'agentic', required_permissions: ['devices:read', 'devices:execute'] });
      expect(source.description?.length).toBeGreaterThan(20);
      for (const step of source.steps) expect(step.instruction?.length, step.label).toBeGreaterThan(20);
    }
  });

  it('ask for the device everywhere, the service where one is restarted, and a path defaulting to / for Disk Cleanup', () => {
    const device = { name: 'deviceId', description: 'Device to run on', required: true };
    const service = expect.objectContaining({ name: 'serviceName', required: true });
    expect(playbook('Disk Cleanup').variables).toEqual([device, expect.objectContaining({ name: 'path', default: '/' })]);
    expect(playbook('Service Restart').variables).toEqual([device, service]);
    expect(playbook('Memory Pressure Relief').variables).toEqual([device, service]);
  });

  it('run Disk Cleanup as baseline, preview, execute, a 30 s wait and a check that usage is below 90%', () => {
    const source = playbook('Disk Cleanup');
    expect(stepsOf(source)).toEqual([
      ['diagnose', 'analyze_disk_usage', { path: '{{path}}' }],
      ['diagnose', 'disk_cleanup', { mode: 'preview', categories: CATEGORIES }],
      ['act', 'disk_cleanup', { mode: 'execute', categories: CATEGORIES }],
      ['wait', undefined, undefined],
      ['verify', 'analyze_disk_usage', { path: '{{path}}' }],
    ]);
    expect(source.steps.map((s) => s.label)).toEqual([
      'Capture baseline disk usage',
      'Preview safe cleanup candidates',
      'Execute cleanup',
      'Wait for filesystem metrics',
      'Verify disk usage improved',
    ]);
    expect(source.steps[3]!.wait_seconds).toBe(30);
    expect(source.steps[4]).toMatchObject({ verify: { metric: 'disk_usage_percent', operator: 'lt', value: 90 }, on_failure: 'stop' });
    expect(source.trigger).toBeUndefined();
  });

  it('run Service Restart as status, restart, a 10 s wait and a check that it is running, suggested for service_down', () => {
    const source = playbook('Service Restart');
    const service = (action: string) => ({ service: '{{serviceName}}', action });
    expect(stepsOf(source)).toEqual([
      ['diagnose', 'manage_services', service('status')],
      ['act', 'manage_services', service('restart')],
      ['wait', undefined, undefined],
      ['verify', 'manage_services', service('status')],
    ]);
    expect(source.steps.map((s) => s.label)).toEqual([
      'Check current service status',
      'Restart target service',
      'Wait for service startup',
      'Verify service health',
    ]);
    expect(source.steps[2]!.wait_seconds).toBe(10);
    expect(source.steps[3]).toMatchObject({ verify: { metric: 'service_status', operator: 'eq', value: 'running' }, on_failure: 'stop' });
    expect(source.trigger).toEqual({ alert_types: ['service_down'], auto_execute: false });
  });

  it('run Memory Pressure Relief as a 1 h baseline, a restart, a 300 s wait and a check that RAM is below 85%', () => {
    const source = playbook('Memory Pressure Relief');
    expect(stepsOf(source)).toEqual([
      ['diagnose', 'analyze_metrics', { window: '1h' }],
      ['act', 'manage_services', { service: '{{serviceName}}', action: 'restart' }],
      ['wait', undefined, undefined],
      ['verify', 'analyze_metrics', { window: '5m' }],
    ]);
    expect(source.steps.map((s) => s.label)).toEqual([
      'Capture baseline memory metrics',
      'Restart memory-heavy service',
      'Wait for memory stabilization',
      'Verify memory improved',
    ]);
    expect(source.steps[2]!.wait_seconds).toBe(300);
    expect(source.steps[3]).toMatchObject({ verify: { metric: 'ram_usage_percent', operator: 'lt', value: 85 }, on_failure: 'stop' });
    expect(source.trigger).toBeUndefined();
  });
});

describe('syncBuiltinPlaybooks', () => {
  it('creates the three as published, global, built-in runbooks at v1 by runbook-bot', async () => {
    const page = await store.list({ includeArchived: true, limit: 100 });

    expect(page.items.map((r) => r.name)).toEqual(NAMES);
    for (const runbook of page.items) {
      expect(runbook).toMatchObject({ status: 'published', published_version: 1, latest_version: 1, scope: { type: 'global' }, builtin: true });
      expect(runbook.created_by).toEqual(SYSTEM_AUTHOR);
      expect(await store.versions(runbook.id)).toEqual([expect.objectContaining({ number: 1, author: SYSTEM_AUTHOR })]);
    }
    expect((await store.find('Disk Cleanup')).slug).toBe('disk-cleanup');
    expect((await store.snapshotForRun('service-restart')).version).toBe(1);
  });

  it('creates and changes nothing when run again', async () => {
    const before = await store.list({ limit: 100 });

    const report = await syncBuiltinPlaybooks(store);

    expect(report).toEqual({ created: [], updated: [], unchanged: NAMES, skipped: [] });
    expect(await store.list({ limit: 100 })).toEqual(before);
  });

  it('adds exactly one published version, noted as updated with runbook-bot, when a file changes', async () => {
    const fresh = await freshStore();
    const dir = await playbooksCopy();
    await syncBuiltinPlaybooks(fresh, { dir });
    await editFile(dir, 'disk-cleanup.yaml', (text) => text.replace('value: 90', 'value: 85'));

    const first = await syncBuiltinPlaybooks(fresh, { dir });
    const second = await syncBuiltinPlaybooks(fresh, { dir });

    const disk = await fresh.find('Disk Cleanup');
    const versions = await fresh.versions(disk.id);
    expect(first).toMatchObject({ created: [], updated: ['Disk Cleanup'], unchanged: ['Memory Pressure Relief', 'Service Restart'] });
    expect(second).toMatchObject({ updated: [], unchanged: NAMES });
    expect(versions.map((v) => [v.number, v.note, v.author])).toEqual([
      [1, 'installed with runbook-bot', SYSTEM_AUTHOR],
      [2, 'updated with runbook-bot', SYSTEM_AUTHOR],
    ]);
    expect(disk).toMatchObject({ status: 'published', published_version: 2, builtin: true });
    expect((await fresh.snapshotForRun('Disk Cleanup')).steps[4]!.verify).toMatchObject({ value: 85 });
  });

  it('keeps updating the same runbook when a later release renames a playbook (the file name is the key)', async () => {
    const fresh = await freshStore();
    const dir = await playbooksCopy();
    await syncBuiltinPlaybooks(fresh, { dir });
    const before = await fresh.find('disk-cleanup');
    await editFile(dir, 'disk-cleanup.yaml', (text) => text.replace('name: Disk Cleanup', 'name: Disk Space Cleanup'));

    const report = await syncBuiltinPlaybooks(fresh, { dir });

    const after = await fresh.find('Disk Space Cleanup');
    expect(report.updated).toEqual(['Disk Space Cleanup']);
    expect(after).toMatchObject({ id: before.id, name: 'Disk Space Cleanup', slug: 'disk-cleanup', latest_version: 2, published_version: 2 });
    expect((await rejection(fresh.find('Disk Cleanup'))).code).toBe(ErrorCode.NotFound);
  });

  it('leaves a user’s global runbook of the same name alone and reports the built-in as skipped', async () => {
    const fresh = await freshStore();
    const own = { ...playbook('Disk Cleanup'), description: 'Our own cleanup.' };
    const mine = await fresh.save({ source: own, author: alice, publish: true });

    const report = await syncBuiltinPlaybooks(fresh);

    expect(report.created).toEqual(['Memory Pressure Relief', 'Service Restart']);
    expect(report.skipped).toEqual([
      { file: 'disk-cleanup.yaml', problem: expect.stringContaining('built-in playbook "Disk Cleanup" (disk-cleanup) not installed') },
    ]);
    expect(await fresh.get(mine.runbook.id)).toMatchObject({ builtin: false, description: 'Our own cleanup.', latest_version: 1 });
  });

  it('skips an invalid file, naming it and the problem, and still installs the others', async () => {
    const fresh = await freshStore();
    const dir = await playbooksCopy();
    await writeFile(join(dir, 'broken.yaml'), 'name: Broken\nsteps: []\n');
    await writeFile(join(dir, 'README.md'), 'not a playbook');

    const report = await syncBuiltinPlaybooks(fresh, { dir });

    expect(report.created).toEqual(NAMES);
    expect(report.skipped).toEqual([{ file: 'broken.yaml', problem: expect.stringContaining('steps') }]);
  });

  it('leaves exactly one runbook per playbook when two processes sync an empty database at once', async () => {
    const dbName = createTestDbName();
    const [a, b] = await Promise.all([freshConnection(dbName), freshConnection(dbName)]);
    const [storeA, storeB] = [createRunbookStore(a), createRunbookStore(b)];

    const reports = await Promise.all([syncBuiltinPlaybooks(storeA), syncBuiltinPlaybooks(storeB)]);

    const page = await storeA.list({ includeArchived: true, limit: 100 });
    expect(reports.flatMap((r) => r.created).sort()).toEqual(NAMES);
    expect(reports.flatMap((r) => r.skipped)).toEqual([]);
    expect(page.items.map((r) => [r.name, r.status, r.published_version, r.builtin])).toEqual(NAMES.map((name) => [name, 'published', 1, true]));
    for (const runbook of page.items) expect(await storeA.versions(runbook.id)).toHaveLength(1);
  });
});

describe('built-ins are read-only', () => {
  // Each mutation a user can make, and what must hold after it was refused.
  const mutations: [string, (id: string) => Promise<unknown>][] = [
    ['importing a changed copy over it', () => store.save({ source: { ...playbook('Disk Cleanup'), description: 'Mine now.' }, author: alice })],
    ['importing a file whose name matches it in another case', () => store.save({ source: { ...playbook('Disk Cleanup'), name: 'disk cleanup' }, author: alice })],
    ['importing it unchanged with --publish', () => store.save({ source: playbook('Disk Cleanup'), author: alice, publish: true })],
    ['publishing it', (id) => store.publish(id, alice)],
    ['archiving it', (id) => store.archive(id, alice)],
    ['moving it back to draft', (id) => store.toDraft(id, alice)],
    ['rolling it back', (id) => store.rollback(id, 1, alice)],
  ];

  it.each(mutations)('refuses %s as forbidden, naming it, and changes nothing', async (_what, mutate) => {
    const before = await store.find('Disk Cleanup');
    const history = await store.history(before.id);

    const error = await rejection(mutate(before.id));

    expect(error.code).toBe(ErrorCode.Forbidden);
    expect(error.message).toMatch(READ_ONLY);
    expect(await store.get(before.id)).toEqual(before);
    expect(await store.versions(before.id)).toHaveLength(1);
    expect(await store.history(before.id)).toEqual(history);
  });

  it('refuses a rollback to an older version too, once a release has updated it', async () => {
    const fresh = await freshStore();
    const dir = await playbooksCopy();
    await syncBuiltinPlaybooks(fresh, { dir });
    await editFile(dir, 'service-restart.yaml', (text) => text.replace('wait_seconds: 10', 'wait_seconds: 15'));
    await syncBuiltinPlaybooks(fresh, { dir });
    const runbook = await fresh.find('Service Restart');

    const error = await rejection(fresh.rollback(runbook.id, 1, alice));

    expect(error.code).toBe(ErrorCode.Forbidden);
    expect(error.message).toContain('"Service Restart" is a built-in playbook and is read-only');
    expect(await fresh.get(runbook.id)).toMatchObject({ latest_version: 2, published_version: 2 });
  });

  it('lets a user fork it into an ordinary runbook they can change, publish and archive', async () => {
    const original = await store.find('Disk Cleanup');

    const fork = await store.fork(original.id, { scope: { type: 'global' }, name: 'Our Disk Cleanup', author: alice });
    const edited = await store.save({ source: { ...fork.version.source, description: 'Ours.' }, author: alice, publish: true });
    const archived = await store.archive(fork.runbook.id, alice);

    expect(fork.runbook).toMatchObject({ builtin: false, forked_from: { runbook_id: original.id, version: 1 }, status: 'draft' });
    expect(edited).toMatchObject({ changed: true, version: { number: 2 }, runbook: { published_version: 2, description: 'Ours.' } });
    expect(archived.status).toBe('archived');
    expect(await store.get(original.id)).toEqual(original);
  });

  it('lets a company fork it under the same name, shadowing the built-in for that company only', async () => {
    const original = await store.find('Service Restart');

    const fork = await store.fork(original.id, { scope: { type: 'company', company: 'acme' }, author: alice });
    await store.save({ source: { ...fork.version.source, description: 'Acme restart.' }, author: alice, publish: true });

    expect((await store.find('Service Restart', { company: 'acme' })).id).toBe(fork.runbook.id);
    expect((await store.find('Service Restart')).id).toBe(original.id);
    expect(fork.runbook.builtin).toBe(false);
  });
});

// `runbook-bot import` against the test server: create, unchanged, update, directories with
// invalid files, --publish, --company.
import { describe, expect, it } from 'vitest';

import { fixtureNamed, runCaptured, useCliDatabase, useTempDir } from './support/cli.js';

const db = useCliDatabase();
const tmp = useTempDir();

describe('import', () => {
  it('creates v1 from a YAML file, and importing the same file again creates no version', async () => {
    const file = await tmp.write('twice/deploy.yaml', await fixtureNamed('design-deploy-to-production.yaml', 'Import Twice'));

    const first = await db.cli('import', file);
    const again = await db.cli('import', file);

    expect(first).toEqual({ code: 0, stdout: ['created "Import Twice" v1 (draft)'], stderr: [] });
    expect(again).toEqual({ code: 0, stdout: ['unchanged "Import Twice" (v1)'], stderr: [] });
    const runbook = await db.store().find('Import Twice');
    expect(await db.store().versions(runbook.id)).toHaveLength(1);
  });

  it('appends v2 when the file changed, recorded with the note and the CLI user', async () => {
    const text = await fixtureNamed('minolith-deploy-to-production.yaml', 'Import Change');
    const file = await tmp.write('change/deploy.yaml', text);
    await db.cli('import', file);
    await tmp.write('change/deploy.yaml', text.replace('Verify critical endpoints.', 'Verify /healthz and /login.'));

    const result = await db.cli('import', '--note', 'check login too', file);

    expect(result).toEqual({ code: 0, stdout: ['updated "Import Change" v2'], stderr: [] });
    const runbook = await db.store().find('import-change');
    const versions = await db.store().versions(runbook.id);
    expect(versions.map((v) => [v.number, v.author, v.note])).toEqual([
      [1, { kind: 'cli', id: 'cli-tester' }, ''],
      [2, { kind: 'cli', id: 'cli-tester' }, 'check login too'],
    ]);
  });

  it('imports the valid files of a directory tree in sorted order and lists every problem of the invalid one', async () => {
    await tmp.write('dir/b-deploy.yaml', await fixtureNamed('design-deploy-to-production.yaml', 'Dir Deploy'));
    await tmp.write('dir/a-nested/disk.json', await fixtureNamed('playbook-disk-cleanup.json', 'Dir Disk'));
    await tmp.write('dir/c-notes.txt', 'not a runbook');
    await tmp.write('dir/.hidden/skip.yml', 'not: [a runbook');
    const broken = ['name: Dir Broken', 'category: Bad Category', 'steps:', '  - {label: Check, next_on_outcome: {fail: "step:fx"}}', ''];
    await tmp.write('dir/broken.yml', broken.join('\n'));

    const result = await db.cli('import', tmp.path('dir'));

    expect(result.code).toBe(1);
    expect(result.stdout).toEqual(['created "Dir Disk" v1 (draft)', 'created "Dir Deploy" v1 (draft)']);
    expect(result.stderr).toEqual([
      `${tmp.path('dir', 'broken.yml')}: category: must use only lowercase letters, digits and "-"`,
      `${tmp.path('dir', 'broken.yml')}: steps[0].next_on_outcome.fail: unknown step ref "fx"`,
    ]);
    await expect(db.store().find('Dir Broken')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('names files relative to the working directory as the user wrote them', async () => {
    await tmp.write('relative/bad.json', '{"name": "Relative", "steps": []');

    const result = await runCaptured(['import', 'relative'], db.env(), tmp.path());

    expect(result.code).toBe(1);
    expect(result.stderr).toEqual([expect.stringMatching(/^relative\/bad\.json: \(document\): JSON syntax error at line 1, column \d+: /)]);
  });

  it('publishes with --publish, and says so for an unchanged file too', async () => {
    const file = await tmp.write('publish/deploy.yaml', await fixtureNamed('design-deploy-to-production.yaml', 'Import Publish'));

    const created = await db.cli('import', '--publish', file);
    const again = await db.cli('import', file, '--publish');

    expect(created).toEqual({ code: 0, stdout: ['created "Import Publish" v1 — published'], stderr: [] });
    expect(again.stdout).toEqual(['unchanged "Import Publish" (v1) — published']);
    expect(await db.store().find('Import Publish')).toMatchObject({ status: 'published', published_version: 1 });
  });

  it('imports into a company with --company when the file has no scope, and refuses a file that names another', async () => {
    const unscoped = await tmp.write('company/minolith.yaml', await fixtureNamed('minolith-deploy-to-production.yaml', 'Company Deploy'));
    const global = await tmp.write('company/design.yaml', await fixtureNamed('design-deploy-to-production.yaml', 'Company Global'));

    const result = await db.cli('import', '--company', 'acme', unscoped, global);

    expect(result.code).toBe(1);
    expect(result.stdout).toEqual(['created "Company Deploy" v1 (draft)']);
    expect(result.stderr).toEqual([`${global}: scope: the file says global scope but --company says company acme; remove one`]);
    expect((await db.store().find('Company Deploy', { company: 'acme' })).scope).toEqual({ type: 'company', company: 'acme' });
    await expect(db.store().find('Company Deploy')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses a second file for the same runbook in one import', async () => {
    const text = await fixtureNamed('design-deploy-to-production.yaml', 'Import Duplicate');
    const first = await tmp.write('dup/one.yaml', text);
    const second = await tmp.write('dup/two.yaml', text.replace('Standard deployment.', 'Another copy.'));

    const result = await db.cli('import', tmp.path('dup'));

    expect(result.code).toBe(1);
    expect(result.stdout).toEqual(['created "Import Duplicate" v1 (draft)']);
    expect(result.stderr).toEqual([`${second}: name: runbook "Import Duplicate" is also defined in ${first}`]);
  });
});

// The CLI on built-in playbooks: every change is refused (exit 1) with the store's message,
// and reading them works as for any runbook.
import { beforeAll, describe, expect, it } from 'vitest';

import { syncBuiltinPlaybooks } from '../../src/models/builtin-playbooks.js';
import { useCliDatabase, useTempDir } from './support/cli.js';

const db = useCliDatabase();
const tmp = useTempDir();

const READ_ONLY = 'runbook "Disk Cleanup" is a built-in playbook and is read-only: to change it, export it and import the copy under another name';

beforeAll(async () => {
  await syncBuiltinPlaybooks(db.store());
});

describe('built-in playbooks', () => {
  it.each([['archive'], ['draft'], ['publish']])('refuses `%s "Disk Cleanup"` with exit 1, saying it is read-only', async (command) => {
    const result = await db.cli(command, 'Disk Cleanup');

    expect(result).toEqual({ code: 1, stdout: [], stderr: [READ_ONLY] });
    expect(await db.store().find('disk-cleanup')).toMatchObject({ status: 'published', published_version: 1 });
  });

  it('refuses a rollback with exit 1', async () => {
    expect(await db.cli('rollback', 'disk-cleanup', '1')).toEqual({ code: 1, stdout: [], stderr: [READ_ONLY] });
  });

  it('refuses to import a file named like it, naming the file, and still imports the other files', async () => {
    const exported = await db.cli('export', 'Disk Cleanup');
    const mine = await tmp.write('dir/a-disk.yaml', exported.stdout.join('\n').replace('value: 90', 'value: 80'));
    await tmp.write('dir/b-other.yaml', 'name: Not Built In\nsteps:\n  - label: Do it\n');

    const result = await db.cli('import', tmp.path('dir'));

    expect(result).toEqual({ code: 1, stdout: ['created "Not Built In" v1 (draft)'], stderr: [`${mine}: ${READ_ONLY}`] });
    expect((await db.store().versions((await db.store().find('Disk Cleanup')).id)).length).toBe(1);
  });
});

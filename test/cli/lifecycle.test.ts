// `runbook-bot publish`, `archive` and `draft`: one line each, and the store's rules.
import { describe, expect, it } from 'vitest';

import { fixtureNamed, useCliDatabase, useTempDir } from './support/cli.js';

const db = useCliDatabase();
const tmp = useTempDir();

describe('lifecycle', () => {
  it('publishes, archives and moves back to draft, saying when nothing needed doing', async () => {
    await db.cli('import', await tmp.write('life.json', await fixtureNamed('playbook-memory-pressure-relief.json', 'Life Cycle')));

    const lines: string[][] = [];
    for (const argv of [['publish'], ['publish'], ['archive'], ['archive'], ['draft'], ['draft']]) {
      const result = await db.cli(...argv, 'life-cycle');
      expect(result.code).toBe(0);
      lines.push(result.stdout);
    }

    expect(lines).toEqual([
      ['published "Life Cycle" v1'],
      ['"Life Cycle" is already published at v1'],
      ['archived "Life Cycle"'],
      ['"Life Cycle" is already archived'],
      ['moved "Life Cycle" back to draft'],
      ['"Life Cycle" is already a draft'],
    ]);
    expect(await db.store().find('Life Cycle')).toMatchObject({ status: 'draft', published_version: null });
  });

  it('refuses to publish an archived runbook (exit 1), naming it', async () => {
    await db.cli('import', await tmp.write('archived.json', await fixtureNamed('playbook-disk-cleanup.json', 'Life Archived')));
    await db.cli('archive', 'Life Archived');

    const result = await db.cli('publish', 'Life Archived');

    expect(result).toEqual({
      code: 1,
      stdout: [],
      stderr: ['runbook "Life Archived" is archived: move it back to draft before publishing'],
    });
  });

  it('republishes at the latest version after an update', async () => {
    const text = await fixtureNamed('playbook-service-restart.json', 'Life Republish');
    const file = await tmp.write('republish.json', text);
    await db.cli('import', '--publish', file);
    await tmp.write('republish.json', text.replace(/"description": "[^"]*"/, '"description": "Restart, v2."'));
    const updated = await db.cli('import', file);

    const result = await db.cli('publish', 'life-republish');

    expect(updated.stdout).toEqual(['updated "Life Republish" v2']);
    expect(result.stdout).toEqual(['published "Life Republish" v2']);
  });
});

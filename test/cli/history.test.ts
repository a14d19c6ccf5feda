// `runbook-bot versions`, `diff` and `rollback`: the history of a runbook from the shell.
import { describe, expect, it } from 'vitest';

import { CLI_USER, fixtureNamed, useCliDatabase, useTempDir } from './support/cli.js';

const db = useCliDatabase();
const tmp = useTempDir();

const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/;

/** A runbook at v2: v1 from the fixture, v2 with the first step's instruction changed. */
async function twoVersions(name: string): Promise<string> {
  const text = await fixtureNamed('design-deploy-to-production.yaml', name);
  const file = await tmp.write(`${name}/deploy.yaml`, text);
  await db.cli('import', '--note', 'first', file);
  await tmp.write(`${name}/deploy.yaml`, text.replace('instruction: Pull {version}.', 'instruction: Pull {version} from main.'));
  await db.cli('import', '--note', 'pull from main', file);
  return file;
}

describe('versions', () => {
  it('prints a table of versions with time, author and note, marking the published and the latest', async () => {
    const file = await twoVersions('History Table');
    await db.cli('import', '--publish', file); // unchanged, so this publishes the latest: v2
    await db.cli('rollback', 'history-table', '1');

    const result = await db.cli('versions', 'History Table');

    expect(result.code).toBe(0);
    const [title, header, ...rows] = result.stdout;
    expect(title).toMatch(/^"History Table" \(rnb_[a-z0-9]{12}, published\)$/);
    expect(header?.split(/\s{2,}/)).toEqual(['VERSION', 'MARK', 'CREATED AT', 'AUTHOR', 'NOTE']);
    expect(rows.map((row) => row.split(/\s{2,}/))).toEqual([
      ['v1', expect.stringMatching(ISO), `cli:${CLI_USER}`, 'first'],
      ['v2', 'published', expect.stringMatching(ISO), `cli:${CLI_USER}`, 'pull from main'],
      ['v3', 'latest', expect.stringMatching(ISO), `cli:${CLI_USER}`, 'rollback to v1'],
    ]);
  });
});

describe('diff', () => {
  it('names the changed step and field between v1 and v2, and says when there is no difference', async () => {
    await twoVersions('Diff Steps');

    const changed = await db.cli('diff', 'diff-steps', '1', 'v2');
    const same = await db.cli('diff', 'Diff Steps', '2', '2');

    expect(changed.code).toBe(0);
    expect(changed.stdout).toEqual([
      expect.stringMatching(/^~ step 1 "Pull latest code" \(rbs_[a-z0-9]{12}\):$/),
      '    instruction: "Pull {version}." → "Pull {version} from main."',
    ]);
    expect(same).toEqual({ code: 0, stdout: ['no differences'], stderr: [] });
  });

  it('names a version that does not exist', async () => {
    await twoVersions('Diff Missing');

    const result = await db.cli('diff', 'diff-missing', '1', '5');

    expect(result).toEqual({ code: 1, stdout: [], stderr: ['runbook "Diff Missing" has no version 5 (latest is v2)'] });
  });
});

describe('rollback', () => {
  it('makes v3 equal to v1: its export is v1’s, and diff finds nothing', async () => {
    await twoVersions('Roll Back');

    const result = await db.cli('rollback', 'Roll Back', '1');
    const v1 = await db.cli('export', 'roll-back', '--version', '1');
    const v3 = await db.cli('export', 'roll-back', '--version', '3');
    const diff = await db.cli('diff', 'roll-back', '1', '3');

    expect(result).toEqual({ code: 0, stdout: ['rolled back "Roll Back" to v1 as v3'], stderr: [] });
    expect(v3.stdout).toEqual(v1.stdout);
    expect(v3.stdout.join('\n')).toContain('instruction: Pull {version}.');
    expect(diff.stdout).toEqual(['no differences']);
  });

  it('refuses when the latest version already has that content', async () => {
    await twoVersions('Roll Nothing');

    const result = await db.cli('rollback', 'roll-nothing', '2');

    expect(result).toEqual({ code: 1, stdout: [], stderr: ['v2 of runbook "Roll Nothing" already has the content of v2'] });
  });
});

// `runbook-bot fork`: a copy for a company or globally, saying what it made and where it came
// from; the store remembers the origin and refuses a name already taken in the target scope.
import { describe, expect, it } from 'vitest';

import { fixtureNamed, useCliDatabase, useTempDir } from './support/cli.js';

const db = useCliDatabase();
const tmp = useTempDir();
const USAGE = 'usage: runbook-bot fork NAME [--company NAME] [--name NEW_NAME]';

async function importRunbook(name: string, fixture = 'playbook-disk-cleanup.json'): Promise<string> {
  const result = await db.cli('import', await tmp.write(`${name}.json`, await fixtureNamed(fixture, name)));
  expect(result.code).toBe(0);
  return (await db.store().find(name)).id;
}

describe('fork', () => {
  it('copies a global runbook to a company, remembering its origin and version', async () => {
    const originalId = await importRunbook('Fork Source');

    const result = await db.cli('fork', 'fork-source', '--company', 'acme');

    const copy = await db.store().find('Fork Source', { company: 'acme' });
    expect(copy.id).not.toBe(originalId);
    expect(copy).toMatchObject({ name: 'Fork Source', scope: { type: 'company', company: 'acme' }, forked_from: { runbook_id: originalId, version: 1 } });
    expect(result).toEqual({ code: 0, stdout: [`created "Fork Source" (${copy.id}) in company acme, forked from ${originalId} v1`], stderr: [] });
  });

  it('copies globally under a new name, from the latest version', async () => {
    const text = await fixtureNamed('playbook-service-restart.json', 'Fork Latest');
    const file = await tmp.write('latest.json', text);
    await db.cli('import', file);
    await tmp.write('latest.json', text.replace(/"description": "[^"]*"/, '"description": "Second version."'));
    await db.cli('import', file);
    const originalId = (await db.store().find('Fork Latest')).id;

    const result = await db.cli('fork', 'Fork Latest', '--name', 'Fork Latest Copy');

    const copy = await db.store().find('Fork Latest Copy');
    expect(copy).toMatchObject({ scope: { type: 'global' }, description: 'Second version.', forked_from: { runbook_id: originalId, version: 2 } });
    expect(result.stdout).toEqual([`created "Fork Latest Copy" (${copy.id}) in global scope, forked from ${originalId} v2`]);
  });

  it('refuses a name already taken in the target scope (exit 1)', async () => {
    await importRunbook('Fork Clash');
    await db.cli('fork', 'Fork Clash', '--company', 'clashco');

    const again = await db.cli('fork', 'Fork Clash', '--company', 'clashco');
    const global = await db.cli('fork', 'Fork Clash');

    expect(again).toEqual({ code: 1, stdout: [], stderr: ['a runbook named "Fork Clash" already exists in company clashco'] });
    expect(global).toEqual({ code: 1, stdout: [], stderr: ['a runbook named "Fork Clash" already exists in global scope'] });
  });

  it('says when the runbook to fork does not exist (exit 1)', async () => {
    const result = await db.cli('fork', 'No Such Runbook', '--company', 'acme');

    expect(result.code).toBe(1);
    expect(result.stderr).toEqual(['runbook "No Such Runbook" not found (no id, name or slug matches among global runbooks)']);
  });

  it.each([
    [['fork'], 'missing NAME'],
    [['fork', 'a', 'b'], 'unexpected argument "b"'],
    [['fork', 'a', '--company', ' '], '--company must not be empty'],
    [['fork', 'a', '--name', ''], '--name must not be empty'],
    [['fork', 'a', '--scope', 'x'], 'unknown option --scope'],
  ])('exits 2 with usage for %j', async (argv, message) => {
    const result = await db.cli(...argv);

    expect(result.code).toBe(2);
    expect(result.stderr.slice(0, 3)).toEqual([message, '', USAGE]);
  });
});

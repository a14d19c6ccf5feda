// `runbook-bot export`: the stored source as YAML that imports back unchanged.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { canonicalJson, parseDefinitionText } from '../../src/engine/definition/index.js';
import { fixtureNamed, useCliDatabase, useTempDir } from './support/cli.js';

const db = useCliDatabase();
const tmp = useTempDir();

function parsedSource(text: string, format: 'yaml' | 'json') {
  const parsed = parseDefinitionText(text, format);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.source;
}

describe('export', () => {
  it('prints YAML that parses to the imported source and imports back unchanged', async () => {
    const text = await fixtureNamed('design-deploy-to-production.yaml', 'Round Trip');
    await db.cli('import', await tmp.write('round/in.yaml', text));

    const exported = await db.cli('export', 'round-trip');
    const out = await tmp.write('round/out.yaml', `${exported.stdout.join('\n')}\n`);
    const again = await db.cli('import', out);

    expect(exported.code).toBe(0);
    expect(exported.stdout[0]).toBe('name: Round Trip');
    expect(canonicalJson(parsedSource(await readFile(out, 'utf8'), 'yaml'))).toBe(canonicalJson(parsedSource(text, 'yaml')));
    expect(again).toEqual({ code: 0, stdout: ['unchanged "Round Trip" (v1)'], stderr: [] });
  });

  it('exports a camelCase playbook in the snake_case format, which round-trips too', async () => {
    await db.cli('import', await tmp.write('playbook/in.json', await fixtureNamed('playbook-service-restart.json', 'Playbook Trip')));

    const exported = await db.cli('export', 'Playbook Trip');
    const yaml = exported.stdout.join('\n');
    const again = await db.cli('import', await tmp.write('playbook/out.yaml', yaml));

    expect(yaml).toContain('tool_input:');
    expect(yaml).not.toMatch(/toolInput|waitSeconds|onFailure/);
    expect(again.stdout).toEqual(['unchanged "Playbook Trip" (v1)']);
  });

  it('exports an older version with --version, and names a missing one', async () => {
    const text = await fixtureNamed('minolith-deploy-to-production.yaml', 'Export Old');
    const file = await tmp.write('old/deploy.yaml', text);
    await db.cli('import', file);
    await tmp.write('old/deploy.yaml', text.replace('Standard production deployment procedure.', 'Changed.'));
    await db.cli('import', file);

    const v1 = await db.cli('export', 'export-old', '--version', '1');
    const latest = await db.cli('export', 'export-old');
    const missing = await db.cli('export', 'export-old', '--version=v7');

    expect(v1.stdout.join('\n')).toContain('description: Standard production deployment procedure.');
    expect(latest.stdout.join('\n')).toContain('description: Changed.');
    expect(missing).toEqual({ code: 1, stdout: [], stderr: ['runbook "Export Old" has no version 7 (latest is v2)'] });
  });

  it('finds a company runbook with --company only', async () => {
    await db.cli('import', '--company', 'acme', join(await tmp.write('co/in.yaml', await fixtureNamed('minolith-deploy-to-production.yaml', 'Export Co'))));

    const hidden = await db.cli('export', 'Export Co');
    const found = await db.cli('export', 'Export Co', '--company', 'acme');

    expect(hidden.code).toBe(1);
    expect(hidden.stderr).toEqual(['runbook "Export Co" not found (no id, name or slug matches among global runbooks)']);
    expect(found.stdout).toContain('scope:');
    expect(found.stdout).toContain('  company: acme');
  });
});

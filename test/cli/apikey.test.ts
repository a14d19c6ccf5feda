// `runbook-bot apikey create|list|revoke`: create prints the key and nothing else on stdout,
// list never shows it, revoke stops it at once; bad calls exit 2 with usage.
import { beforeAll, describe, expect, it } from 'vitest';

import { createApiKeyStore, type ApiKeyStore } from '../../src/models/api-key-store.js';
import { connectMongo } from '../../src/models/connection.js';
import { CLI_USER, useCliDatabase } from './support/cli.js';

const db = useCliDatabase();
const USAGE = 'usage: runbook-bot apikey create|list|revoke ARGS';
const KEY = /^rbk_[0-9A-Za-z]{40}$/;
const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/;
let keys: ApiKeyStore;

beforeAll(async () => {
  // The CLI's own database (MONGODB_URI names it), read through the store for what output does not show.
  const uri = db.env().MONGODB_URI as string;
  const conn = await connectMongo(uri);
  keys = createApiKeyStore(conn);
  return () => conn.close();
});

describe('apikey create', () => {
  it('prints the key alone on stdout, and says what it made on stderr', async () => {
    const result = await db.cli('apikey', 'create', 'ci-deploy', '--scopes', 'run,read,author');

    expect(result.code).toBe(0);
    expect(result.stdout).toHaveLength(1);
    expect(result.stdout[0]).toMatch(KEY);
    expect(result.stderr).toEqual(['created API key ci-deploy with scopes read,run,author; the key is shown only this once:']);
    expect(await keys.authenticate(result.stdout[0] as string)).toMatchObject({ name: 'ci-deploy', scopes: ['read', 'run', 'author'], created_by: { kind: 'cli', id: CLI_USER } });
  });

  it('gives read and run when no scopes are named', async () => {
    const result = await db.cli('apikey', 'create', 'defaults');

    expect(await keys.authenticate(result.stdout[0] as string)).toMatchObject({ scopes: ['read', 'run'] });
  });

  it('refuses a name in use (exit 1), printing no key', async () => {
    await db.cli('apikey', 'create', 'twice');

    const result = await db.cli('apikey', 'create', 'twice', '--scopes=admin');

    expect(result).toEqual({ code: 1, stdout: [], stderr: ['an API key named twice exists; revoke it first'] });
  });
});

describe('apikey list', () => {
  it('shows name, scopes, prefix, when and by whom, and never the key', async () => {
    const made = await db.cli('apikey', 'create', 'listed-key', '--scopes', 'approve');
    const key = made.stdout[0] as string;

    const result = await db.cli('apikey', 'list');

    expect(result.code).toBe(0);
    expect(result.stderr).toEqual([]);
    expect(result.stdout[0]).toMatch(/^NAME +SCOPES +KEY +CREATED AT +CREATED BY$/);
    const row = result.stdout.find((l) => l.startsWith('listed-key '));
    expect(row).toMatch(new RegExp(`^listed-key +approve +${key.slice(0, 12)}… +${ISO.source} +cli:${CLI_USER}$`));
    expect(result.stdout.join('\n')).not.toContain(key.slice(12));
  });
});

describe('apikey revoke', () => {
  it('revokes a key, which stops authenticating at once', async () => {
    const key = (await db.cli('apikey', 'create', 'short-lived')).stdout[0] as string;

    const result = await db.cli('apikey', 'revoke', 'short-lived');

    expect(result).toEqual({ code: 0, stdout: [`revoked API key short-lived (${key.slice(0, 12)}…)`], stderr: [] });
    expect(await keys.authenticate(key)).toBeNull();
    expect((await db.cli('apikey', 'list')).stdout.some((l) => l.startsWith('short-lived '))).toBe(false);
  });

  it('revokes the key’s permission grants with it, so a new key of that name starts with none', async () => {
    await db.cli('apikey', 'create', 'granted-key');
    expect((await db.cli('permissions', 'grant', 'apikey:granted-key', 'devices:execute', 'devices:read')).code).toBe(0);

    const result = await db.cli('apikey', 'revoke', 'granted-key');

    expect(result.stdout[0]).toMatch(/; its grants devices:execute, devices:read are revoked too$/);
    await db.cli('apikey', 'create', 'granted-key');
    expect((await db.cli('permissions', 'list', 'apikey:granted-key')).stdout.join('\n')).not.toContain('devices:execute');
  });

  it('says so when there is no such key (exit 1)', async () => {
    expect(await db.cli('apikey', 'revoke', 'no-such-key')).toEqual({ code: 1, stdout: [], stderr: ['no API key named no-such-key'] });
  });
});

describe('apikey usage', () => {
  const NAME_RULE = 'use 1 to 63 of a-z, 0-9, _ and -, starting with a letter or digit';
  it.each([
    [['apikey'], 'missing create, list or revoke'],
    [['apikey', 'make', 'x'], 'unknown subcommand "make" (use create, list or revoke)'],
    [['apikey', 'create'], 'missing NAME'],
    [['apikey', 'revoke'], 'missing NAME'],
    [['apikey', 'create', 'a', 'b'], 'unexpected argument "b"'],
    [['apikey', 'list', 'x'], 'unexpected argument "x"'],
    [['apikey', 'revoke', 'x', '--scopes', 'read'], '--scopes is only for create'],
    [['apikey', 'create', 'x', '--scopes'], '--scopes needs a value'],
    [['apikey', 'create', 'Deploy Bot'], `"Deploy Bot" is not an API key name: ${NAME_RULE}`],
    [['apikey', 'create', 'x', '--scopes', 'read,root'], '"root" is not a scope: use read, run, author, approve, admin'],
    [['apikey', 'create', 'x', '--scopes', ','], 'name at least one scope: read, run, author, approve, admin'],
    [['apikey', 'create', 'X', '--scopes', 'all'], `"X" is not an API key name: ${NAME_RULE}; "all" is not a scope: use read, run, author, approve, admin`],
  ])('exits 2 with usage for %j', async (argv, message) => {
    const result = await db.cli(...argv);

    expect(result.code).toBe(2);
    expect(result.stdout).toEqual([]);
    expect(result.stderr.slice(0, 3)).toEqual([message, '', USAGE]);
  });

  it('shows the subcommands in its help and in the command list', async () => {
    const one = await db.cli('help', 'apikey');
    const all = await db.cli('help');

    expect(one.stdout.slice(0, 4)).toEqual([
      USAGE,
      '  create NAME [--scopes SCOPES]  make a key and print it (shown this once only)',
      '  list                           show the keys, without the keys themselves',
      '  revoke NAME                    delete a key; it stops working at once',
    ]);
    expect(all.stdout.some((l) => /^ {2}apikey +create, list or revoke API keys$/.test(l))).toBe(true);
  });

  it('can be granted permissions as apikey:NAME', async () => {
    await db.cli('apikey', 'create', 'granted-bot');

    const result = await db.cli('permissions', 'grant', 'apikey:granted-bot', 'devices:execute');

    expect(result).toEqual({ code: 0, stdout: ['granted devices:execute to API key apikey:granted-bot'], stderr: [] });
  });
});

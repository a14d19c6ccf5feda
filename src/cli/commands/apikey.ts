// `apikey create NAME [--scopes ...]`, `apikey list`, `apikey revoke NAME`: keys for machine
// callers. create prints the key alone on stdout (so `KEY=$(runbook-bot apikey create x)`
// works) and everything else on stderr; the key is shown this once and never listed.
import { z } from 'zod';

import { API_SCOPES, KEY_NAME_RULE, parseKeyName, parseScopes, type ApiScope } from '../../models/api-key-names.js';
import { API_KEY_PREFIX, type ApiKeyRecord } from '../../models/api-key-store.js';
import type { StoredActor } from '../../models/runbook-subschemas.js';
import { checkWith, parseArgs } from '../args.js';
import { EXIT_OK, type CliCommand } from '../command.js';
import { formatTable } from '../table.js';

type ApikeyArgs = { action: 'create'; name: string; scopes: ApiScope[] } | { action: 'revoke'; name: string } | { action: 'list' };

const ACTIONS = ['create', 'list', 'revoke'] as const;
const DEFAULT_SCOPES = 'read,run';

const ApikeyArgs = z
  .object({ options: z.object({ scopes: z.string().optional() }), positionals: z.array(z.string()) })
  .transform(({ options, positionals }, ctx): ApikeyArgs => {
    const complain = (message: string) => ctx.issues.push({ code: 'custom', input: positionals, message });
    const checked = checkWith(complain);
    const [action, name, ...rest] = positionals;
    if (action === undefined) complain('missing create, list or revoke');
    else if (!(ACTIONS as readonly string[]).includes(action)) complain(`unknown subcommand "${action}" (use create, list or revoke)`);
    else if (action !== 'create' && options.scopes !== undefined) complain(`--scopes is only for create`);
    else if (action === 'list') {
      if (name !== undefined) complain(`unexpected argument "${name}"`);
      else return { action };
    } else if (name === undefined) complain('missing NAME');
    else if (rest.length > 0) complain(`unexpected argument "${rest[0]}"`);
    else {
      const key = checked(name, parseKeyName);
      if (action === 'revoke') return key === undefined ? z.NEVER : { action, name: key };
      const scopes = checked(options.scopes ?? DEFAULT_SCOPES, parseScopes);
      if (key !== undefined && scopes !== undefined) return { action: 'create', name: key, scopes };
    }
    return z.NEVER;
  });

export const apikeyCommand: CliCommand = {
  name: 'apikey',
  summary: 'create, list or revoke API keys',
  usage: 'apikey create|list|revoke ARGS',
  details: [
    'create NAME [--scopes SCOPES]  make a key and print it (shown this once only)',
    'list                           show the keys, without the keys themselves',
    'revoke NAME                    delete a key; it stops working at once',
    `NAME: ${KEY_NAME_RULE}.`,
    `SCOPES: a comma list of ${API_SCOPES.join(', ')} (default ${DEFAULT_SCOPES}).`,
    'Grant a key permissions with `permissions grant apikey:NAME PERMISSION...`.',
  ],
  async run(argv, ctx) {
    const args = parseArgs(argv, { values: ['scopes'] }, ApikeyArgs);
    const keys = await ctx.apiKeys();
    const who = ctx.who();
    if (args.action === 'create') {
      const made = await keys.create(who, args.name, args.scopes);
      ctx.io.stderr(`created API key ${made.record.name} with scopes ${made.record.scopes.join(',')}; the key is shown only this once:`);
      ctx.io.stdout(made.key);
    } else if (args.action === 'revoke') {
      const gone = await keys.revoke(who, args.name);
      const grants = gone.permissions.length > 0 ? `; its grants ${gone.permissions.join(', ')} are revoked too` : '';
      ctx.io.stdout(`revoked API key ${gone.key.name} (${shownPrefix(gone.key)})${grants}`);
    } else {
      for (const line of describeList(await keys.list(who))) ctx.io.stdout(line);
    }
    return EXIT_OK;
  },
};

function shownPrefix(key: ApiKeyRecord): string {
  return `${API_KEY_PREFIX}${key.prefix}…`;
}

function describeList(keys: readonly ApiKeyRecord[]): string[] {
  if (keys.length === 0) return ['no API keys'];
  const rows = keys.map((k) => [k.name, k.scopes.join(','), shownPrefix(k), k.created_at.toISOString(), actor(k.created_by)]);
  return formatTable(['NAME', 'SCOPES', 'KEY', 'CREATED AT', 'CREATED BY'], rows);
}

function actor({ kind, id, name }: StoredActor): string {
  return name === undefined ? `${kind}:${id}` : `${kind}:${id} (${name})`;
}

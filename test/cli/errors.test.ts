// How the CLI fails: exit 1 for what is not there, exit 2 with usage for how it was called
// or configured; help; and no password in any message.
import { describe, expect, it } from 'vitest';

import { runCaptured, useCliDatabase } from './support/cli.js';

const db = useCliDatabase();

describe('errors', () => {
  it('exits 1 naming an unknown runbook, for every command that takes a NAME', async () => {
    for (const argv of [['export', 'nope'], ['versions', 'nope'], ['diff', 'nope', '1', '2'], ['rollback', 'nope', '1'], ['publish', 'nope']]) {
      const result = await db.cli(...argv);
      expect(result).toEqual({
        code: 1,
        stdout: [],
        stderr: ['runbook "nope" not found (no id, name or slug matches among global runbooks)'],
      });
    }
  });

  it.each([
    [['export'], 'missing NAME', 'usage: runbook-bot export NAME [--company NAME] [--version N]'],
    [['diff', 'x', '1'], 'missing V2', 'usage: runbook-bot diff NAME V1 V2 [--company NAME]'],
    [['diff', 'x', '1', 'two'], '"two" is not a version number (such as 3 or v3)', 'usage: runbook-bot diff NAME V1 V2 [--company NAME]'],
    [['rollback', 'x', '1', '2'], 'unexpected argument "2"', 'usage: runbook-bot rollback NAME V [--company NAME]'],
    [['export', 'x', '--version', '0'], '--version "0" is not a version number (such as 3 or v3)', 'usage: runbook-bot export NAME [--company NAME] [--version N]'],
    [['import', '--force', 'x.yaml'], 'unknown option --force', 'usage: runbook-bot import [--publish] [--company NAME] [--note TEXT] FILE|DIR...'],
    [['import', '--company'], '--company needs a value', 'usage: runbook-bot import [--publish] [--company NAME] [--note TEXT] FILE|DIR...'],
    [['lint'], 'missing FILE', 'usage: runbook-bot lint FILE|DIR...'],
    [['frobnicate'], 'unknown command "frobnicate"', 'usage: runbook-bot COMMAND [ARGS]'],
    [[], 'missing command', 'usage: runbook-bot COMMAND [ARGS]'],
  ])('exits 2 with usage for %j', async (argv, message, usage) => {
    const result = await db.cli(...argv);

    expect(result.code).toBe(2);
    expect(result.stdout).toEqual([]);
    expect(result.stderr.slice(0, 3)).toEqual([message, '', usage]);
  });

  it('prints usage on stdout for help and --help, exiting 0', async () => {
    const all = await db.cli('help');
    const one = await db.cli('import', '--help');
    const topic = await db.cli('help', 'rollback');

    expect(all.code).toBe(0);
    // Names are padded to the longest command's, so the gap depends on which commands exist.
    expect(all.stdout).toContainEqual(expect.stringMatching(/^  rollback +make a new version with the content of an old one$/));
    expect(one.stdout[0]).toBe('usage: runbook-bot import [--publish] [--company NAME] [--note TEXT] FILE|DIR...');
    expect(topic).toEqual({ code: 0, stdout: ['usage: runbook-bot rollback NAME V [--company NAME]'], stderr: [] });
  });

  it('exits 2 with one line per bad variable before touching any database, without echoing the URI', async () => {
    const env = { ...db.env(), PORT: 'abc', MONGODB_URI: 'postgres://user:hunter2@db/x' };

    for (const argv of [['versions', 'x'], ['import', 'test/fixtures/definitions/playbook-disk-cleanup.json']]) {
      const result = await runCaptured(argv, env);
      expect(result).toEqual({
        code: 2,
        stdout: [],
        stderr: ['MONGODB_URI: must be a mongodb:// or mongodb+srv:// URI', 'PORT: must be an integer between 1 and 65535 (got "abc")'],
      });
    }
  });

  it('names an unreachable server without its password (exit 1)', async () => {
    const result = await runCaptured(['versions', 'x'], { MONGODB_URI: 'mongodb://admin:hunter2@127.0.0.1:1/x' });

    expect(result.code).toBe(1);
    expect(result.stderr).toEqual([expect.stringMatching(/^error: MongoDB is not reachable at mongodb:\/\/admin:\*\*\*@127\.0\.0\.1:1\/x: /)]);
    expect(result.stderr.join('\n')).not.toContain('hunter2');
  });
});

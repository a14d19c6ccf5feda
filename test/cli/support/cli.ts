// Running the CLI in-process against the test server: a fresh database per test file (named
// in MONGODB_URI's path, as a user would), captured output, temp dirs, renamed fixtures.
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import type mongoose from 'mongoose';
import { afterAll, beforeAll, inject } from 'vitest';

import { runCli } from '../../../src/cli/main.js';
import { connectMongo } from '../../../src/models/connection.js';
import { createRunbookStore, type RunbookStore } from '../../../src/models/runbook-store.js';
import { createTestDbName } from '../../support/mongo.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const FIXTURES = join(REPO_ROOT, 'test/fixtures/definitions');
export const CLI_USER = 'cli-tester';

export interface CliResult {
  code: number;
  stdout: string[];
  stderr: string[];
}

export async function runCaptured(argv: string[], env: NodeJS.ProcessEnv, cwd = REPO_ROOT): Promise<CliResult> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli(argv, { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l), env, cwd });
  return { code, stdout, stderr };
}

/** `mongodb://host:port/` + db name, keeping any query string. */
function uriWithDatabase(uri: string, db: string): string {
  const [base = '', query] = uri.split('?', 2);
  return `${base.replace(/^([a-z+]+:\/\/[^/]+).*$/, '$1')}/${db}${query === undefined ? '' : `?${query}`}`;
}

export interface CliHarness {
  env(): NodeJS.ProcessEnv;
  cli(...argv: string[]): Promise<CliResult>;
  /** The same database through the store, for assertions the output does not show. */
  store(): RunbookStore;
  /** The connection itself, for the stores the CLI has no command to read. */
  conn(): mongoose.Connection;
}

export function useCliDatabase(): CliHarness {
  let uri: string | undefined;
  let conn: mongoose.Connection | undefined;
  let store: RunbookStore | undefined;

  beforeAll(async () => {
    const db = createTestDbName();
    uri = uriWithDatabase(inject('mongodbUri'), db);
    conn = await connectMongo(inject('mongodbUri'), db);
    store = createRunbookStore(conn);
  });

  afterAll(async () => {
    await conn?.dropDatabase();
    await conn?.close();
  });

  const env = (): NodeJS.ProcessEnv => {
    if (uri === undefined) throw new Error('useCliDatabase() is only available inside tests');
    return { MONGODB_URI: uri, RUNBOOK_BOT_USER: CLI_USER };
  };
  return {
    env,
    cli: (...argv) => runCaptured(argv, env()),
    store() {
      if (store === undefined) throw new Error('useCliDatabase() is only available inside tests');
      return store;
    },
    conn() {
      if (conn === undefined) throw new Error('useCliDatabase() is only available inside tests');
      return conn;
    },
  };
}

export interface TempDir {
  path(...parts: string[]): string;
  /** Writes `text` to a path under the dir (parents created); returns the full path. */
  write(name: string, text: string): Promise<string>;
}

/** A temp dir per test file, removed afterwards. */
export function useTempDir(): TempDir {
  let dir: string | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runbook-bot-cli-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const path = (...parts: string[]) => {
    if (dir === undefined) throw new Error('useTempDir() is only available inside tests');
    return join(dir, ...parts);
  };
  return {
    path,
    async write(name, text) {
      const file = path(name);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, text);
      return file;
    },
  };
}

/** A fixture's text with its runbook name replaced, so tests sharing a database stay apart. */
export async function fixtureNamed(fixture: string, name: string): Promise<string> {
  const text = await readFile(join(FIXTURES, fixture), 'utf8');
  if (fixture.endsWith('.json')) return `${JSON.stringify({ ...(JSON.parse(text) as object), name }, null, 2)}\n`;
  return text.replace(/^name: .*$/m, `name: ${name}`);
}

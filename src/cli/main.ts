// runbook-bot's command line (DESIGN §5): dispatches to one file per command, opens the
// store only for commands that need it, always closes it, and turns every failure into a
// message and an exit code through report-error.
import { userInfo } from 'node:os';

import type { Actor } from '../engine/types.js';
import { UsageError, wantsHelp } from './args.js';
import { EXIT_OK, type CliCommand, type CliIo } from './command.js';
import { apikeyCommand } from './commands/apikey.js';
import { diffCommand } from './commands/diff.js';
import { exportCommand } from './commands/export.js';
import { forkCommand } from './commands/fork.js';
import { importCommand } from './commands/import.js';
import { archiveCommand, draftCommand, publishCommand } from './commands/lifecycle.js';
import { lintCommand } from './commands/lint.js';
import { mcpCommand } from './commands/mcp.js';
import { permissionsCommand } from './commands/permissions.js';
import { rollbackCommand } from './commands/rollback.js';
import { runnerCommand } from './commands/runner.js';
import { versionsCommand } from './commands/versions.js';
import { describeError } from './report-error.js';
import { createStoreSession } from './store-session.js';
import { internalPrincipal } from '../services/principal.js';

export type { CliIo } from './command.js';

const PROGRAM = 'runbook-bot';

export const COMMANDS: readonly CliCommand[] = [
  importCommand,
  exportCommand,
  lintCommand,
  versionsCommand,
  diffCommand,
  rollbackCommand,
  publishCommand,
  archiveCommand,
  draftCommand,
  forkCommand,
  permissionsCommand,
  apikeyCommand,
  runnerCommand,
  mcpCommand,
];

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) return fail(io, new UsageError('missing command'), generalUsage());
  if (name === 'help' || name === '--help' || name === '-h') return help(io, rest[0]);
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) return fail(io, new UsageError(`unknown command "${name}"`), generalUsage());
  if (wantsHelp(rest)) return print(io, commandUsage(command));

  const session = createStoreSession(io);
  try {
    return await command.run(rest, {
      io,
      runbooks: session.runbooks,
      permissions: session.permissions,
      apiKeys: session.apiKeys,
      deviceCredentials: session.deviceCredentials,
      author: () => cliAuthor(io.env),
      who: () => internalPrincipal(cliAuthor(io.env)),
    });
  } catch (e) {
    return fail(io, e, commandUsage(command));
  } finally {
    await session.close();
  }
}

/** For bin/runbook-bot.mjs: `argv` as in process.argv (node and script first). */
export function main(argv: readonly string[] = process.argv): Promise<number> {
  return runCli(argv.slice(2), {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
    cwd: process.cwd(),
  });
}

function cliAuthor(env: NodeJS.ProcessEnv): Actor {
  const configured = env.RUNBOOK_BOT_USER?.trim();
  if (configured) return { kind: 'cli', id: configured };
  try {
    return { kind: 'cli', id: userInfo().username };
  } catch {
    // A container user without a passwd entry has no name; the uid still says who.
    return { kind: 'cli', id: `uid-${process.getuid?.() ?? 'unknown'}` };
  }
}

function fail(io: CliIo, e: unknown, usage: readonly string[]): number {
  const report = describeError(e, usage);
  for (const line of report.lines) io.stderr(line);
  return report.exitCode;
}

function print(io: CliIo, lines: readonly string[]): number {
  for (const line of lines) io.stdout(line);
  return EXIT_OK;
}

function help(io: CliIo, topic: string | undefined): number {
  if (topic === undefined) return print(io, generalUsage());
  const command = COMMANDS.find((c) => c.name === topic);
  if (command === undefined) return fail(io, new UsageError(`unknown command "${topic}"`), generalUsage());
  return print(io, commandUsage(command));
}

function commandUsage(command: CliCommand): string[] {
  return [`usage: ${PROGRAM} ${command.usage}`, ...(command.details ?? []).map((line) => `  ${line}`)];
}

function generalUsage(): string[] {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `usage: ${PROGRAM} COMMAND [ARGS]`,
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    `  ${'help'.padEnd(width)}  show this, or \`help COMMAND\` for one command`,
    '',
    'NAME is a runbook id, name (any case) or slug. MONGODB_URI selects the database;',
    'unset, the embedded FerretDB on PostgreSQL in .data is used. Changes are recorded',
    'as RUNBOOK_BOT_USER, or the login name.',
  ];
}


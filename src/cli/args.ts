// A small argv parser: `--flag`, `--opt value`, `--opt=value`, `--` ends the options, and
// everything else is positional. It knows only which options exist and whether they take a
// value; zod then checks the values and counts, so each command states its rules as a schema.
import type { z } from 'zod';

/** Bad command-line usage: exit 2 with the command's usage. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ArgSpec {
  /** Options without a value (`--publish`). */
  flags?: readonly string[];
  /** Options that take a value (`--company NAME`). */
  values?: readonly string[];
}

export interface RawArgs {
  options: Record<string, string | true>;
  positionals: string[];
}

export function splitArgs(argv: readonly string[], spec: ArgSpec): RawArgs {
  const flags = new Set(spec.flags ?? []);
  const values = new Set(spec.values ?? []);
  const options: Record<string, string | true> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    // "-" alone is a positional by convention (stdin); other dashed words are options.
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const match = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/s.exec(arg);
    const name = match?.[1];
    if (name === undefined) throw new UsageError(`unknown option ${arg}`);
    if (Object.hasOwn(options, name)) throw new UsageError(`--${name} is given more than once`);
    if (flags.has(name)) {
      if (match?.[2] !== undefined) throw new UsageError(`--${name} takes no value`);
      options[name] = true;
    } else if (values.has(name)) {
      const value = match?.[2] ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      options[name] = value;
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return { options, positionals };
}

/** Splits argv and validates it with `schema`; any complaint becomes a UsageError. */
export function parseArgs<T>(argv: readonly string[], spec: ArgSpec, schema: z.ZodType<T, RawArgs>): T {
  const parsed = schema.safeParse(splitArgs(argv, spec));
  if (parsed.success) return parsed.data;
  throw new UsageError(
    parsed.error.issues
      .map((issue) => (issue.path[0] === 'options' && issue.path[1] !== undefined ? `--${String(issue.path[1])} ${issue.message}` : issue.message))
      .join('; '),
  );
}

/** True when the user asked for a command's help (`-h` or `--help` before any `--`). */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

/**
 * Checks an argument with the store's own parser (parseSubject, parseKeyName…), so the CLI
 * refuses exactly what the store would, before connecting; a refusal becomes `complain`'s line.
 */
export function checkWith(complain: (message: string) => void) {
  return <T>(value: string, parse: (value: string) => T): T | undefined => {
    try {
      return parse(value);
    } catch (e) {
      complain((e as Error).message);
      return undefined;
    }
  };
}

// Reading definition files named on the command line (shared by import and lint): a FILE is
// read as given, a DIR recursively for .yaml/.yml/.json files in sorted order. Each file
// yields its source or every problem with its path, so one run shows all there is to fix.
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';

import { formatProblem, parseDefinitionText, type RunbookSource } from '../engine/definition/index.js';

const FORMATS: Record<string, 'yaml' | 'json'> = { '.yaml': 'yaml', '.yml': 'yaml', '.json': 'json' };

export type LoadedFile = { file: string; ok: true; source: RunbookSource } | { file: string; ok: false; problems: string[] };

/** Every definition file named by `args`, in order, with the path as the user would write it. */
export async function loadDefinitionFiles(args: readonly string[], cwd: string): Promise<LoadedFile[]> {
  const out: LoadedFile[] = [];
  for (const arg of args) {
    const files = await expand(arg, cwd);
    if (typeof files === 'string') out.push({ file: arg, ok: false, problems: [files] });
    else for (const file of files) out.push(await loadFile(file, resolve(cwd, file)));
  }
  return out;
}

/** The files behind one argument, or why there are none. */
async function expand(arg: string, cwd: string): Promise<string[] | string> {
  let isDir: boolean;
  try {
    isDir = (await stat(resolve(cwd, arg))).isDirectory();
  } catch (e) {
    return cannotRead(e);
  }
  if (!isDir) return [arg];
  const files = (await walk(resolve(cwd, arg))).map((rel) => join(arg, rel));
  return files.length > 0 ? files : 'no .yaml, .yml or .json files in this directory';
}

// Relative paths, sorted by code unit so the order is the same on every machine. Hidden
// entries (.git, .github) are skipped: their YAML is not runbooks.
async function walk(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(join(dir, prefix), { withFileTypes: true });
  const out: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith('.')) continue;
    const rel = join(prefix, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(dir, rel)));
    else if (entry.isFile() && FORMATS[extname(entry.name).toLowerCase()] !== undefined) out.push(rel);
  }
  return out;
}

async function loadFile(file: string, absolute: string): Promise<LoadedFile> {
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (e) {
    return { file, ok: false, problems: [cannotRead(e)] };
  }
  // An unknown extension is sniffed: JSON if it opens like JSON, else YAML.
  const parsed = parseDefinitionText(text, FORMATS[extname(file).toLowerCase()] ?? 'auto');
  return parsed.ok ? { file, ok: true, source: parsed.source } : { file, ok: false, problems: parsed.problems.map(formatProblem) };
}

function cannotRead(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  const why: Record<string, string> = { ENOENT: 'no such file or directory', EACCES: 'permission denied', EISDIR: 'is a directory' };
  return `cannot read: ${(typeof code === 'string' && why[code]) || (e as Error).message}`;
}

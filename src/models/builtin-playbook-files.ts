// Reading the built-in playbooks shipped in playbooks/ (the I/O half of the sync; the store
// half is builtin-playbooks.ts): each .yaml/.yml file yields its source and its key, the
// file's name without extension, which is the built-in's stable identity and slug.
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { formatProblem, parseDefinitionText, SLUG_PATTERN, type RunbookSource } from '../engine/definition/index.js';

/** playbooks/ at the root of the project. */
export const DEFAULT_PLAYBOOKS_DIR = fileURLToPath(new URL('../../playbooks/', import.meta.url));

const EXTENSIONS = new Set(['.yaml', '.yml']);

export interface BuiltinPlaybook {
  /** e.g. `disk-cleanup` for disk-cleanup.yaml. */
  key: string;
  file: string;
  source: RunbookSource;
}

export interface BuiltinProblem {
  file: string;
  problem: string;
}

export interface BuiltinFiles {
  playbooks: BuiltinPlaybook[];
  /** Files left out, with why; the others still load. */
  problems: BuiltinProblem[];
}

/** Every playbook in `dir`, in file-name order; throws only when the directory cannot be read. */
export async function readBuiltinPlaybooks(dir: string = DEFAULT_PLAYBOOKS_DIR): Promise<BuiltinFiles> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.') && EXTENSIONS.has(extname(entry.name).toLowerCase()))
    .map((entry) => entry.name)
    .sort();
  const out: BuiltinFiles = { playbooks: [], problems: [] };
  for (const file of names) {
    const read = readBuiltin(file, await readFile(join(dir, file), 'utf8'));
    if ('source' in read) out.playbooks.push(read);
    else out.problems.push(...read.problems.map((problem) => ({ file, problem })));
  }
  return out;
}

/** One file's text → the playbook, or every reason it cannot be a built-in. */
export function readBuiltin(file: string, text: string): BuiltinPlaybook | { problems: string[] } {
  const key = file.slice(0, file.length - extname(file).length);
  const parsed = parseDefinitionText(text, 'yaml');
  const problems = parsed.ok ? [] : parsed.problems.map(formatProblem);
  if (!SLUG_PATTERN.test(key)) problems.push('the file name must use only lowercase letters, digits and "-" (it is the slug)');
  if (parsed.ok && parsed.source.scope !== undefined && parsed.source.scope !== 'global') problems.push('scope: built-in playbooks are global');
  return parsed.ok && problems.length === 0 ? { key, file, source: parsed.source } : { problems };
}

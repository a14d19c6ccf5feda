// The one door into the definition format: text or a parsed value in, a validated source or
// the full list of problems out. Authors fix a file in one round, so nothing stops at the first.
import { parseDocument } from 'yaml';
import { checkGraph } from './graph.js';
import { fromPlaybookFormat, isPlaybookFormat } from './playbook-format.js';
import { DOCUMENT_PATH, type DefinitionProblem } from './problems.js';
import { RunbookSource } from './schema.js';
import { friendlyMessage, issuesToProblems } from './zod-issues.js';

export { formatProblem, type DefinitionProblem } from './problems.js';

export type ParseResult = { ok: true; source: RunbookSource } | { ok: false; problems: DefinitionProblem[] };

export function parseDefinition(input: unknown): ParseResult {
  const candidate = isPlaybookFormat(input) ? fromPlaybookFormat(input) : input;
  const parsed = RunbookSource.safeParse(candidate, { error: friendlyMessage });
  const steps = typeof candidate === 'object' && candidate !== null ? (candidate as { steps?: unknown }).steps : undefined;
  const problems = dedupe([...(parsed.success ? [] : issuesToProblems(parsed.error.issues)), ...checkGraph(steps)]);
  if (parsed.success && problems.length === 0) return { ok: true, source: parsed.data };
  return { ok: false, problems };
}

export function parseDefinitionText(text: string, format: 'yaml' | 'json' | 'auto'): ParseResult {
  // Text that opens like JSON is read as JSON: its errors are clearer than YAML's for JSON.
  const json = format === 'json' || (format === 'auto' && /^\s*[[{]/.test(text));
  const read = json ? readJson(text) : readYaml(text);
  return read.ok ? parseDefinition(read.value) : { ok: false, problems: read.problems };
}

type ReadResult = { ok: true; value: unknown } | { ok: false; problems: DefinitionProblem[] };

const syntaxProblem = (message: string): DefinitionProblem => ({ path: DOCUMENT_PATH, message });

// Braces start a YAML flow mapping, so an unquoted `{var}` breaks a flow-style step or
// turns a value into an object; authors meet this often enough to deserve the hint.
const PLACEHOLDER_HINT = ' (in YAML, quote text that contains a {placeholder} inside {…} or starts with "{")';

function readYaml(text: string): ReadResult {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  // Only the first error: the ones after it are mostly the parser losing its footing.
  const error = doc.errors[0];
  if (error) {
    const at = error.linePos?.[0];
    // yaml appends " at line L, column C:" and a source excerpt; keep just the sentence.
    const reason = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    const where = at ? ` at line ${at.line}, column ${at.col}` : '';
    const line = at ? (text.split('\n')[at.line - 1] ?? '') : '';
    const hint = /\{\{?[A-Za-z0-9_]+\}/.test(line) ? PLACEHOLDER_HINT : '';
    return { ok: false, problems: [syntaxProblem(`YAML syntax error${where}: ${reason}${hint}`)] };
  }
  if (doc.contents === null) return { ok: false, problems: [syntaxProblem('is empty; expected a runbook definition')] };
  return { ok: true, value: doc.toJS({ maxAliasCount: 100 }) };
}

function readJson(text: string): ReadResult {
  if (text.trim() === '') return { ok: false, problems: [syntaxProblem('is empty; expected a runbook definition')] };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /at position (\d+)/.exec(message)?.[1];
    const offset = position === undefined ? text.length : Number(position);
    const before = text.slice(0, offset).split('\n');
    const line = before.length;
    const col = (before[before.length - 1] ?? '').length + 1;
    const reason = message.replace(/ in JSON at position \d+.*$/, '').replace(/ of JSON input$/, '');
    return { ok: false, problems: [syntaxProblem(`JSON syntax error at line ${line}, column ${col}: ${reason}`)] };
  }
}

function dedupe(problems: DefinitionProblem[]): DefinitionProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

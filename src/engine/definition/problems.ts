// One shape for every complaint about a definition, whatever found it (YAML parser, zod,
// graph checks), so the CLI, Slack and the API print them the same way.

export interface DefinitionProblem {
  /** `steps[3].next_on_outcome.fail`; `(document)` for the whole document. */
  path: string;
  message: string;
}

export const DOCUMENT_PATH = '(document)';

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/** Dots between keys, `[i]` for list positions (zero-based); odd keys are quoted. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else {
      const key = String(part);
      out += PLAIN_KEY.test(key) ? (out === '' ? key : `.${key}`) : `[${JSON.stringify(key)}]`;
    }
  }
  return out === '' ? DOCUMENT_PATH : out;
}

export function formatProblem(p: DefinitionProblem): string {
  return `${p.path}: ${p.message}`;
}

export function problem(path: readonly PropertyKey[], message: string): DefinitionProblem {
  return { path: formatPath(path), message };
}

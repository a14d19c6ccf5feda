// Checks that need the whole step list: refs and ids are unique, every target resolves, every
// step can be reached. It reads the raw steps loosely (ignoring fields of the wrong type, which
// zod reports) so one pass over a broken definition still reports every wiring problem.
import { parseTarget } from './schema.js';
import { problem, type DefinitionProblem } from './problems.js';

interface LooseStep {
  label: string | null;
  type: unknown;
  ref: unknown;
  id: unknown;
  next_default: unknown;
  next_on_outcome: unknown;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function readStep(raw: unknown): LooseStep {
  const step = isRecord(raw) ? raw : {};
  return {
    label: typeof step.label === 'string' ? step.label : null,
    type: step.type,
    ref: step.ref,
    id: step.id,
    next_default: step.next_default,
    next_on_outcome: step.next_on_outcome,
  };
}

/** First index of each ref (or id); repeats are problems at `steps[i].<field>`. */
function indexBy(steps: LooseStep[], field: 'ref' | 'id', problems: DefinitionProblem[]): Map<string, number> {
  const index = new Map<string, number>();
  steps.forEach((step, i) => {
    const value = step[field];
    if (typeof value !== 'string') return;
    const first = index.get(value);
    if (first === undefined) index.set(value, i);
    else problems.push(problem(['steps', i, field], `duplicate ${field} "${value}" (also steps[${first}].${field})`));
  });
  return index;
}

export function checkGraph(rawSteps: unknown): DefinitionProblem[] {
  if (!Array.isArray(rawSteps) || rawSteps.length === 0) return [];
  const steps = rawSteps.map(readStep);
  const problems: DefinitionProblem[] = [];
  const refs = indexBy(steps, 'ref', problems);
  const ids = indexBy(steps, 'id', problems);
  // Reachability is only meaningful when every edge is known; otherwise it would pile
  // "unreachable" noise on top of the real problem. A duplicate resolves to its first step,
  // as compile does, so it does not hide unreachable steps.
  let wiringKnown = true;

  // Resolves one target to a step index, 'end' for null, or undefined when it cannot.
  const resolve = (value: unknown, path: (string | number)[]): number | 'end' | undefined => {
    if (value === null) return 'end';
    const target = typeof value === 'string' ? parseTarget(value) : null;
    let index: number | undefined;
    if (target?.kind === 'ref') {
      index = refs.get(target.ref);
      if (index === undefined) problems.push(problem(path, `unknown step ref "${target.ref}"`));
    } else if (target?.kind === 'id') {
      index = ids.get(target.id);
      if (index === undefined) problems.push(problem(path, `unknown step id "${target.id}"`));
    }
    if (index === undefined) wiringKnown = false;
    return index;
  };

  const defaults: (number | 'end' | undefined)[] = [];
  const outcomes: (number | 'end' | undefined)[][] = [];
  steps.forEach((step, i) => {
    const byPosition = i + 1 < steps.length ? i + 1 : 'end';
    defaults.push(step.next_default === undefined ? byPosition : resolve(step.next_default, ['steps', i, 'next_default']));
    const routes = step.next_on_outcome;
    if (routes !== undefined && !isRecord(routes)) wiringKnown = false;
    outcomes.push(
      isRecord(routes) ? Object.entries(routes).map(([key, value]) => resolve(value, ['steps', i, 'next_on_outcome', key])) : [],
    );
  });
  if (!wiringKnown) return problems;

  const reached = new Set<number>();
  const queue = [0];
  for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
    if (reached.has(i)) continue;
    reached.add(i);
    // A rollback step is skipped in normal flow: only its default wiring carries the run on.
    const next = steps[i]?.type === 'rollback' ? [defaults[i]] : [defaults[i], ...(outcomes[i] ?? [])];
    for (const target of next) if (typeof target === 'number') queue.push(target);
  }
  steps.forEach((step, i) => {
    if (reached.has(i) || step.type === 'rollback') return;
    const name = step.label === null ? '' : ` "${step.label}"`;
    problems.push(problem(['steps', i], `step${name} can never be reached from the first step`));
  });
  return problems;
}

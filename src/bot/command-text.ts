// `/runbook …` text → a typed subcommand. Slack sends the text as typed (with smart quotes
// on some clients), so quoting is forgiving and every refusal names the problem and the
// usage that would work.
import { RUN_STATUSES, TERMINAL_STATUSES, type RunStatus } from '../engine/index.js';
import { AppError, ErrorCode } from '../errors.js';
import { DEVICE_ID_PATTERN } from '../models/device-model.js';

export const SUBCOMMANDS = ['help', 'list', 'start', 'status', 'runs', 'resume', 'pause', 'cancel', 'device', 'alerts'] as const;
export type Subcommand = (typeof SUBCOMMANDS)[number];

/** `runs active`: every status a run can still move from. */
export const ACTIVE_STATUSES: readonly RunStatus[] = RUN_STATUSES.filter((s) => !TERMINAL_STATUSES.includes(s));
const RUN_FILTERS = ['active', ...RUN_STATUSES] as const;

export type RunbookCommand =
  | { type: 'help' }
  | { type: 'list'; text: string }
  | { type: 'start'; runbook: string; variables: Record<string, string> }
  | { type: 'status' | 'resume' | 'pause' | 'cancel'; runId: string }
  | { type: 'runs'; statuses: RunStatus[] | null; filter: string | null }
  | { type: 'device'; deviceId: string }
  | { type: 'alerts' };

/** A refusal carrying the usage line of the subcommand it concerns. */
export class CommandTextError extends AppError {
  override name = 'CommandTextError';
  readonly subcommand: Subcommand | null;

  constructor(message: string, subcommand: Subcommand | null) {
    super(ErrorCode.Validation, message);
    this.subcommand = subcommand;
  }
}

const QUOTES: Record<string, string> = { '"': '"', "'": "'", '“': '”', '‘': '’' };

/** Splits on whitespace; quotes group words and may start mid-token (`key="a b"`). */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let current: string | null = null;
  let closing: string | null = null;
  for (const ch of text) {
    if (closing !== null) {
      if (ch === closing || (closing === '”' && ch === '"')) closing = null;
      else current += ch;
    } else if (QUOTES[ch] !== undefined) {
      closing = QUOTES[ch];
      current ??= '';
    } else if (/\s/.test(ch)) {
      if (current !== null) tokens.push(current);
      current = null;
    } else {
      current = (current ?? '') + ch;
    }
  }
  if (closing !== null) throw new CommandTextError(`a quote (${closing}) is not closed`, null);
  if (current !== null) tokens.push(current);
  return tokens;
}

const VARIABLE = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

function parseStart(args: string[]): RunbookCommand {
  // The name is every word before the first key=value, so `start Deploy to Production v=1` works unquoted.
  const firstVariable = args.findIndex((a) => VARIABLE.test(a));
  const nameParts = firstVariable === -1 ? args : args.slice(0, firstVariable);
  if (nameParts.length === 0) throw new CommandTextError('start needs the name of a runbook', 'start');
  const variables: Record<string, string> = {};
  for (const arg of firstVariable === -1 ? [] : args.slice(firstVariable)) {
    const match = VARIABLE.exec(arg);
    if (!match) throw new CommandTextError(`"${arg}" is not a variable: write name=value (quote values with spaces)`, 'start');
    const [, key, value] = match as unknown as [string, string, string];
    // `device=web-01` is how people say which machine; runbooks call it deviceId.
    const name = key === 'device' ? 'deviceId' : key;
    if (Object.hasOwn(variables, name)) throw new CommandTextError(`variable "${name}" is given twice`, 'start');
    variables[name] = value;
  }
  return { type: 'start', runbook: nameParts.join(' '), variables };
}

function parseRunId(sub: 'status' | 'resume' | 'pause' | 'cancel', args: string[]): RunbookCommand {
  if (args.length !== 1) throw new CommandTextError(`${sub} takes one run id, like run_ab12cd34ef56`, sub);
  const runId = args[0] as string;
  if (!/^run_[a-z0-9]{1,64}$/i.test(runId)) throw new CommandTextError(`"${runId}" is not a run id (they look like run_ab12cd34ef56)`, sub);
  return { type: sub, runId };
}

function parseRuns(args: string[]): RunbookCommand {
  if (args.length === 0) return { type: 'runs', statuses: null, filter: null };
  const filter = (args[0] as string).toLowerCase();
  if (args.length > 1 || !(RUN_FILTERS as readonly string[]).includes(filter)) {
    throw new CommandTextError(`"${args.join(' ')}" is not a run status; use one of: ${RUN_FILTERS.join(', ')}`, 'runs');
  }
  return { type: 'runs', statuses: filter === 'active' ? [...ACTIVE_STATUSES] : [filter as RunStatus], filter };
}

function parseDevice(args: string[]): RunbookCommand {
  const deviceId = args[0] ?? '';
  if (args.length !== 1 || !DEVICE_ID_PATTERN.test(deviceId)) {
    throw new CommandTextError(args.length !== 1 ? 'device takes one device id, like web-01' : `"${deviceId}" is not a device id (letters, digits, ".", "_" and "-")`, 'device');
  }
  return { type: 'device', deviceId };
}

/** Slack sends command text with &, < and > escaped; values are stored as the user typed them. */
function unescapeSlack(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export function parseCommandText(text: string): RunbookCommand {
  const [first, ...args] = tokenize(unescapeSlack(text).trim());
  const sub = (first ?? 'help').toLowerCase();
  switch (sub) {
    case 'help':
      return { type: 'help' };
    case 'list':
      return { type: 'list', text: args.join(' ') };
    case 'start':
      return parseStart(args);
    case 'status':
    case 'resume':
    case 'pause':
    case 'cancel':
      return parseRunId(sub, args);
    case 'runs':
      return parseRuns(args);
    case 'device':
      return parseDevice(args);
    case 'alerts':
      if (args.length > 0) throw new CommandTextError('alerts takes nothing after it', 'alerts');
      return { type: 'alerts' };
    default:
      throw new CommandTextError(`unknown subcommand "${first}"; use one of: ${SUBCOMMANDS.join(', ')}`, null);
  }
}

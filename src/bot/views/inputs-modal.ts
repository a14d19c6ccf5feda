// The modal that asks for a run's variables before starting it, and reading it back. What
// counts as a valid value is create-run.ts's business (resolveVariables); this file only
// turns the form into `given` values and maps refusals onto the field at fault.
import type { InputBlock, PlainTextInput } from '@slack/types';
import { z } from 'zod';

import { resolveVariables, startInputs, VARIABLE_VALUE_MAX_CHARS } from '../../engine/create-run.js';
import type { RunbookSnapshot, VariableDef } from '../../engine/types.js';
import { ALERT_FINGERPRINT_MAX_CHARS } from '../alert-action-value.js';
import { BlockId, INPUT_ACTION_ID, ViewId } from '../slack-ids.js';
import { SLACK_LIMITS } from './limits.js';
import { escapeMrkdwn, truncate } from './mrkdwn.js';
import { parsePrivateMetadata } from './private-metadata.js';
import { contextBlock, plainText, sectionBlock } from './run-format.js';
import type { KnownBlock, ModalView } from './types.js';

/** Where the modal came from, carried in private_metadata so the submission can act on it. */
export const InputsContext = z.strictObject({
  runbook_id: z.string().regex(/^rnb_[A-Za-z0-9]{1,64}$/, { error: 'must be a runbook id' }),
  /** Where to post the run; null when started from App Home without a channel. */
  channel_id: z.string().min(1).max(64).nullable(),
  thread_ts: z.string().min(1).max(64).optional(),
  origin: z.enum(['command', 'home', 'alert']),
  /** The alert's fingerprint, when the modal asks for what an alert's Run could not fill in. */
  alert: z.string().min(1).max(ALERT_FINGERPRINT_MAX_CHARS).optional(),
});
export type InputsContext = z.infer<typeof InputsContext>;

/**
 * What Slack sends back as `view.state.values`: block id → action id → element state. Only
 * `value` is read; other element types (selects...) carry other fields, so extras are kept.
 */
export const InputStateValues = z.record(
  z.string(),
  z.record(z.string(), z.looseObject({ type: z.string(), value: z.string().nullable().optional() })),
);
export type InputStateValues = z.infer<typeof InputStateValues>;

export function variableBlockId(name: string): string {
  return `${BlockId.variablePrefix}${name}`;
}

/** The string value of one input, or undefined when the block is absent or empty. */
export function inputValue(values: InputStateValues, blockId: string): string | undefined {
  return values[blockId]?.[INPUT_ACTION_ID]?.value ?? undefined;
}

/** Parses `view.state.values`; throws naming the problem when it is not Slack's shape. */
export function parseStateValues(state: unknown, what: string): InputStateValues {
  const parsed = InputStateValues.safeParse(state);
  if (!parsed.success) throw new Error(`${what}: view.state.values has the wrong shape\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function variableInput(def: VariableDef, given: string | undefined): InputBlock {
  const initial = given ?? def.default ?? undefined;
  const element: PlainTextInput = { type: 'plain_text_input', action_id: INPUT_ACTION_ID };
  if (initial !== undefined && initial !== '') {
    // initial_value is capped at 3,000 (SLACK_LIMITS). A value that long cannot come from a
    // valid definition (defaults ≤ 1,000) and is refused on submit anyway.
    element.initial_value = truncate(initial, SLACK_LIMITS.plainTextInitialValue, '');
    if (initial.includes('\n')) element.multiline = true;
  }
  // Let Slack refuse over-long input as it is typed; never below what is already filled in,
  // so the prefilled value still loads and gets our error on submit rather than Slack's.
  element.max_length = Math.max(VARIABLE_VALUE_MAX_CHARS, element.initial_value?.length ?? 0);
  const block: InputBlock = {
    type: 'input',
    block_id: variableBlockId(def.name),
    label: plainText(truncate(def.name, SLACK_LIMITS.inputLabel)),
    element,
  };
  const hint = def.description.trim();
  if (hint !== '') block.hint = plainText(truncate(hint, SLACK_LIMITS.inputHint));
  if (!def.required) block.optional = true;
  return block;
}

export interface InputsRunbook {
  id: string;
  name: string;
  version: number;
  variables: VariableDef[];
}

/** The runbook as the modal asks for it: what a start takes, the device included (startInputs). */
export function inputsRunbook(runbook: RunbookSnapshot): InputsRunbook {
  return { id: runbook.runbook_id, name: runbook.name, version: runbook.version, variables: startInputs(runbook) };
}

export function buildInputsModal(input: {
  runbook: InputsRunbook;
  values: Record<string, string>;
  context: InputsContext;
}): ModalView {
  const { runbook } = input;
  // Validating here keeps a bad context from round-tripping into a submission we can't read.
  const metadata = JSON.stringify(InputsContext.parse(input.context));
  const name = truncate(escapeMrkdwn(runbook.name), 300);
  const blocks: KnownBlock[] = [contextBlock(`Runbook *${name}* · version ${runbook.version}`)];
  if (runbook.variables.length === 0) blocks.push(sectionBlock('This runbook takes no inputs.'));
  for (const def of runbook.variables) {
    blocks.push(variableInput(def, Object.hasOwn(input.values, def.name) ? input.values[def.name] : undefined));
  }
  return {
    type: 'modal',
    callback_id: ViewId.StartInputs,
    title: plainText('Start runbook'),
    submit: plainText('Start'),
    close: plainText('Cancel'),
    private_metadata: metadata,
    blocks,
  };
}

export type InputsSubmission = { ok: true; values: Record<string, string> } | { ok: false; errors: Record<string, string> };

/**
 * Reads the submitted form (pass `view.state.values`). `values` holds only what the user gave
 * (trimmed, blank optional fields dropped), so starting the run fills defaults as usual.
 * `errors` is keyed by block id: answer with `{ response_action: 'errors', errors }`.
 * Throws when `stateValues` is not Slack's shape at all.
 */
export function readInputsSubmission(variables: VariableDef[], stateValues: unknown): InputsSubmission {
  const state = parseStateValues(stateValues, 'inputs modal');
  const values: Record<string, string> = {};
  const errors: Record<string, string> = {};
  for (const def of variables) {
    const blockId = variableBlockId(def.name);
    const value = (inputValue(state, blockId) ?? '').trim();
    if (value === '') {
      // Slack already refuses an empty required field; this catches whitespace and forgeries.
      if (def.required) errors[blockId] = `${def.name} is required`;
      continue;
    }
    // One variable at a time, so each refusal lands under its own field.
    const checked = resolveVariables({ variables: [def] }, { [def.name]: value });
    if (checked.ok) values[def.name] = value;
    else errors[blockId] = checked.problems.join('; ');
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, values };
}

/** Reads the modal's private_metadata back; throws naming the problem on anything else. */
export function parseInputsContext(privateMetadata: string): InputsContext {
  return parsePrivateMetadata(InputsContext, privateMetadata, 'inputs modal');
}

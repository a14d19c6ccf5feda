// A modal's form as Slack reports it on submit: `view.state.values`, block_id → action_id →
// element state. Pure, so what the page would submit is testable without a browser.
import { actionIdOf, blockIdOf } from './block-ids.js';
import type { Block, ElementState, InputBlock, OptionObject, StateValues } from './types.js';

export function optionState(option: OptionObject): { text: OptionObject['text']; value: string } {
  return { text: option.text, value: option.value };
}

/** What an element holds before the user touches it: its initial_value or initial_option. */
export function initialElementState(element: InputBlock['element']): ElementState | null {
  if (element.type === 'plain_text_input') {
    const initial = 'initial_value' in element ? element.initial_value : undefined;
    return { type: 'plain_text_input', value: initial === undefined || initial === '' ? null : initial };
  }
  if (element.type === 'static_select') {
    const initial = 'initial_option' in element ? element.initial_option : undefined;
    return { type: 'static_select', selected_option: initial ? optionState(initial) : null };
  }
  return null;
}

function inputBlocks(blocks: Block[]): Array<{ block: InputBlock; blockId: string; actionId: string }> {
  return blocks.flatMap((block, index) =>
    block.type === 'input' && block.element ? [{ block, blockId: blockIdOf(block, index), actionId: actionIdOf(block.element, 0) }] : [],
  );
}

/** The state of one input: what the user changed, else its initial state. */
export function elementState(edits: StateValues, block: InputBlock, blockId: string, actionId: string): ElementState | null {
  return edits[blockId]?.[actionId] ?? initialElementState(block.element);
}

/** `view.state.values` for every input block of the view. */
export function collectStateValues(blocks: Block[], edits: StateValues): StateValues {
  const values: StateValues = {};
  for (const { block, blockId, actionId } of inputBlocks(blocks)) {
    const state = elementState(edits, block, blockId, actionId);
    if (state !== null) values[blockId] = { [actionId]: state };
  }
  return values;
}

function isEmpty(state: ElementState | undefined): boolean {
  if (state === undefined) return true;
  // Like Slack: whitespace counts as an answer; the bot is the one to refuse it.
  if (state.type === 'plain_text_input') return state.value === null || state.value === '';
  return state.selected_option === null;
}

/** Slack refuses to submit while a required input is empty, before the bot hears of it. */
export function missingRequired(blocks: Block[], values: StateValues): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const { block, blockId, actionId } of inputBlocks(blocks)) {
    if (block.optional || initialElementState(block.element) === null) continue;
    if (isEmpty(values[blockId]?.[actionId])) errors[blockId] = 'Please complete this required field.';
  }
  return errors;
}

/** A copy of `edits` with one element's state replaced. */
export function withEdit(edits: StateValues, blockId: string, actionId: string, state: ElementState): StateValues {
  return { ...edits, [blockId]: { ...edits[blockId], [actionId]: state } };
}

// Input blocks of a modal. The modal owns the form (form-state.ts); each input shows its
// current state, reports edits, and shows the bot's error for its block underneath.
import { useId } from 'preact/hooks';

import { actionIdOf } from './block-ids.js';
import { allOptions, SelectOptions, UnsupportedElement } from './elements.js';
import { elementState, optionState } from './form-state.js';
import type { ElementState, InputBlock, PlainTextInputElement, StateValues, StaticSelectElement } from './types.js';

export interface FormProps {
  /** What the user changed so far (initial values fill the rest). */
  edits: StateValues;
  /** block_id → message: the bot's refusals and Slack's own "required" check. */
  errors: Record<string, string>;
  onChange(blockId: string, actionId: string, state: ElementState): void;
}

const NO_FORM: FormProps = { edits: {}, errors: {}, onChange: () => {} };

function TextInput(props: { id: string; element: PlainTextInputElement; blockId: string; value: string; onInput: (value: string) => void }) {
  const { element } = props;
  const common = {
    id: props.id,
    class: 'text-input',
    'data-testid': `input-${props.blockId}`,
    placeholder: element.placeholder?.text,
    maxLength: element.max_length,
    minLength: element.min_length,
    autoFocus: element.focus_on_load,
    value: props.value,
    onInput: (e: Event) => props.onInput((e.currentTarget as HTMLInputElement | HTMLTextAreaElement).value),
  };
  return element.multiline ? <textarea rows={4} {...common} /> : <input type="text" {...common} />;
}

function SelectInput(props: { id: string; element: StaticSelectElement; blockId: string; value: string; onSelect: (value: string) => void }) {
  return (
    <select id={props.id} class="select" data-testid={`input-${props.blockId}`} value={props.value} onChange={(e) => props.onSelect(e.currentTarget.value)}>
      <option value="">{props.element.placeholder?.text ?? 'Select an item'}</option>
      <SelectOptions element={props.element} />
    </select>
  );
}

export function InputBlockView({ block, blockId, form = NO_FORM }: { block: InputBlock; blockId: string; form?: FormProps }) {
  const id = useId();
  const element = block.element;
  const actionId = actionIdOf(element, 0);
  const state = elementState(form.edits, block, blockId, actionId);
  const error = form.errors[blockId];
  let control;
  if (element.type === 'plain_text_input') {
    control = (
      <TextInput
        id={id}
        element={element as PlainTextInputElement}
        blockId={blockId}
        value={state?.type === 'plain_text_input' ? (state.value ?? '') : ''}
        onInput={(value) => form.onChange(blockId, actionId, { type: 'plain_text_input', value: value === '' ? null : value })}
      />
    );
  } else if (element.type === 'static_select') {
    const select = element as StaticSelectElement;
    control = (
      <SelectInput
        id={id}
        element={select}
        blockId={blockId}
        value={state?.type === 'static_select' ? (state.selected_option?.value ?? '') : ''}
        onSelect={(value) => {
          const option = allOptions(select).find((o) => o.value === value);
          form.onChange(blockId, actionId, { type: 'static_select', selected_option: option ? optionState(option) : null });
        }}
      />
    );
  } else {
    control = <UnsupportedElement element={element} />;
  }
  return (
    <div class={error ? 'blk-input has-error' : 'blk-input'}>
      <label class="input-label" for={id}>
        {block.label?.text}
        {block.optional && <span class="input-optional"> (optional)</span>}
      </label>
      {control}
      {error && (
        <div class="input-error" role="alert" data-testid={`error-${blockId}`}>
          {error}
        </div>
      )}
      {block.hint && <div class="input-hint">{block.hint.text}</div>}
    </div>
  );
}

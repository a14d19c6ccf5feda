// Interactive and image elements of sections, actions and context blocks. A click becomes
// an ActionPayload for the surface (message, modal or App Home) to send with its own ids.
import { useState } from 'preact/hooks';

import type { SelectedOption } from './api.js';
import { actionIdOf } from './block-ids.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { optionState } from './form-state.js';
import { isSafeUrl } from './mrkdwn-parse.js';
import type { ButtonElement, ConfirmObject, ImageElement, OptionObject, OtherElement, StaticSelectElement } from './types.js';

export interface ActionPayload {
  action_id: string;
  block_id: string;
  value?: string;
  selected_option?: SelectedOption;
}

export type OnAction = (action: ActionPayload) => void;

interface ElementProps<E> {
  element: E;
  blockId: string;
  /** Position in its block, for the action_id Slack would invent when it has none. */
  index: number;
  onAction: OnAction;
}

/** Runs `send` at once, or after the user agrees when the element has a `confirm`. */
function useConfirm(confirm: ConfirmObject | undefined) {
  const [pending, setPending] = useState<(() => void) | null>(null);
  const ask = (send: () => void) => (confirm ? setPending(() => send) : send());
  const dialog =
    confirm && pending ? (
      <ConfirmDialog
        confirm={confirm}
        onConfirm={() => {
          setPending(null);
          pending();
        }}
        onCancel={() => setPending(null)}
      />
    ) : null;
  return { ask, dialog };
}

export function buttonClass(style: ButtonElement['style']): string {
  return style === 'primary' || style === 'danger' ? `btn btn-${style}` : 'btn';
}

export function ButtonView({ element, blockId, index, onAction }: ElementProps<ButtonElement>) {
  const actionId = actionIdOf(element, index);
  const { ask, dialog } = useConfirm(element.confirm);
  const label = element.text?.text ?? '';
  if (element.url !== undefined) {
    // A link button only opens the page; the sandbox does not tell the bot about it.
    if (!isSafeUrl(element.url)) return <span class={`${buttonClass(element.style)} btn-disabled`}>{label}</span>;
    return (
      <a class={buttonClass(element.style)} href={element.url} target="_blank" rel="noopener noreferrer" data-testid={`button-${actionId}`}>
        {label}
      </a>
    );
  }
  const send = () => onAction({ action_id: actionId, block_id: blockId, ...(element.value !== undefined && { value: element.value }) });
  return (
    <>
      <button
        type="button"
        class={buttonClass(element.style)}
        data-testid={`button-${actionId}`}
        aria-label={element.accessibility_label}
        onClick={() => ask(send)}
      >
        {label}
      </button>
      {dialog}
    </>
  );
}

export function allOptions(element: StaticSelectElement): OptionObject[] {
  return [...(element.options ?? []), ...(element.option_groups ?? []).flatMap((g) => g.options)];
}

/** The <option>s of a static select, grouped like Slack's option_groups. */
export function SelectOptions({ element }: { element: StaticSelectElement }) {
  return (
    <>
      {(element.options ?? []).map((o) => (
        <option key={o.value} value={o.value}>
          {o.text.text}
        </option>
      ))}
      {(element.option_groups ?? []).map((g, i) => (
        <optgroup key={i} label={g.label.text}>
          {g.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.text.text}
            </option>
          ))}
        </optgroup>
      ))}
    </>
  );
}

/** A select outside an input block: Slack sends the action as soon as an option is picked. */
export function SelectView({ element, blockId, index, onAction }: ElementProps<StaticSelectElement>) {
  const actionId = actionIdOf(element, index);
  const [selected, setSelected] = useState(element.initial_option?.value ?? '');
  const { ask, dialog } = useConfirm(element.confirm);
  const onChange = (target: HTMLSelectElement) => {
    const option = allOptions(element).find((o) => o.value === target.value);
    if (!option) return;
    // Until a confirm is accepted the previous choice stays shown, as in Slack.
    if (element.confirm) target.value = selected;
    ask(() => {
      setSelected(option.value);
      onAction({ action_id: actionId, block_id: blockId, selected_option: optionState(option) });
    });
  };
  return (
    <>
      <select class="select" data-testid={`select-${actionId}`} value={selected} onChange={(e) => onChange(e.currentTarget)}>
        <option value="" disabled>
          {element.placeholder?.text ?? 'Select an item'}
        </option>
        <SelectOptions element={element} />
      </select>
      {dialog}
    </>
  );
}

export function ImageView({ element, className }: { element: ImageElement; className: string }) {
  if (element.image_url === undefined || !/^https?:\/\//i.test(element.image_url)) {
    return <span class={`${className} img-missing`}>{element.alt_text ?? ''}</span>;
  }
  return <img class={className} src={element.image_url} alt={element.alt_text ?? ''} />;
}

export function UnsupportedElement({ element }: { element: OtherElement }) {
  return <span class="unsupported">[unsupported element: {element.type}]</span>;
}

/** Any element of a section's accessory or an actions block. */
export function ElementView(props: ElementProps<ButtonElement | StaticSelectElement | ImageElement | OtherElement>) {
  const { element } = props;
  switch (element.type) {
    case 'button':
      return <ButtonView {...props} element={element as ButtonElement} />;
    case 'static_select':
      return <SelectView {...props} element={element as StaticSelectElement} />;
    case 'image':
      return <ImageView element={element as ImageElement} className="accessory-img" />;
    default:
      return <UnsupportedElement element={element} />;
  }
}

// An open modal: the bot's title, blocks and Submit/Close. Submit sends what Slack would
// send as `view.state.values`; the bot's refusals show under their inputs and the modal
// stays open, as with `response_action: 'errors'`.
import { useState } from 'preact/hooks';

import type { ApiResult } from './api.js';
import { Blocks } from './blocks.js';
import type { OnAction } from './elements.js';
import { collectStateValues, missingRequired, withEdit } from './form-state.js';
import type { StateValues, ViewState } from './types.js';

export interface ModalProps {
  view: ViewState;
  /** Only the top modal of the stack is shown; those beneath keep what was typed in them. */
  active: boolean;
  onSubmit: (values: StateValues) => Promise<ApiResult>;
  onClose: () => void;
  onAction: OnAction;
}

export function Modal({ view, active, onSubmit, onClose, onAction }: ModalProps) {
  const [edits, setEdits] = useState<StateValues>({});
  // Errors from our own submit answer; the view's own `errors` come with view events.
  const [submitErrors, setSubmitErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const blocks = view.view.blocks ?? [];
  const errors = { ...view.errors, ...submitErrors };

  const submit = async () => {
    const values = collectStateValues(blocks, edits);
    const missing = missingRequired(blocks, values);
    setFailure(null);
    if (Object.keys(missing).length > 0) {
      setSubmitErrors(missing);
      return;
    }
    setBusy(true);
    const result = await onSubmit(values);
    setBusy(false);
    setSubmitErrors(result.errors ?? {});
    if (!result.ok && !result.errors) setFailure(result.error ?? `Submitting failed (status ${result.status})`);
  };

  const title = view.view.title?.text ?? '';
  return (
    <div class={active ? 'overlay' : 'overlay overlay-behind'}>
      <form
        class="dialog modal"
        role="dialog"
        aria-modal="true"
        aria-label={title}
        data-testid={active ? 'modal' : 'modal-beneath'}
        data-view-id={view.id}
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div class="modal-header">
          <div class="dialog-title">{title}</div>
          <button type="button" class="modal-x" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </div>
        <div class="modal-body">
          <Blocks
            blocks={blocks}
            onAction={onAction}
            form={{ edits, errors, onChange: (blockId, actionId, state) => setEdits((e) => withEdit(e, blockId, actionId, state)) }}
          />
        </div>
        {failure !== null && (
          <div class="modal-failure" role="alert">
            {failure}
          </div>
        )}
        <div class="dialog-buttons">
          <button type="button" class="btn" data-testid="modal-close" onClick={onClose}>
            {view.view.close?.text ?? 'Cancel'}
          </button>
          {view.view.submit && (
            <button type="submit" class="btn btn-primary" data-testid="modal-submit" disabled={busy}>
              {view.view.submit.text}
            </button>
          )}
        </div>
      </form>
    </div>
  );
}

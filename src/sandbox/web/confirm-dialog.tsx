// Block Kit's `confirm` object: Slack asks before sending the action, in a small dialog
// with the bot's own wording, and sends nothing when the user backs out.
import { TextView } from './mrkdwn.js';
import type { ConfirmObject } from './types.js';

export function ConfirmDialog({ confirm, onConfirm, onCancel }: { confirm: ConfirmObject; onConfirm: () => void; onCancel: () => void }) {
  const yesClass = confirm.style === 'danger' ? 'btn btn-danger' : 'btn btn-primary';
  return (
    <div class="overlay overlay-confirm" onClick={(e) => e.target === e.currentTarget && onCancel()}>
      <div class="dialog confirm" role="alertdialog" aria-modal="true" data-testid="confirm">
        <div class="dialog-title">{confirm.title?.text ?? 'Are you sure?'}</div>
        <div class="dialog-body">
          <TextView text={confirm.text} />
        </div>
        <div class="dialog-buttons">
          <button type="button" class="btn" data-testid="confirm-no" onClick={onCancel}>
            {confirm.deny?.text ?? 'Cancel'}
          </button>
          <button type="button" class={yesClass} data-testid="confirm-yes" onClick={onConfirm}>
            {confirm.confirm?.text ?? 'Yes'}
          </button>
        </div>
      </div>
    </div>
  );
}

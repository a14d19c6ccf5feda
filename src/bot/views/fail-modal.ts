// The modal the `Fail` button opens: why did the step fail? Its private_metadata pins the
// step and visit the button was rendered for, so a late submission is recognised as stale.
import { z } from 'zod';

import { BlockId, INPUT_ACTION_ID, ViewId } from '../slack-ids.js';
import { inputValue, parseStateValues } from './inputs-modal.js';
import { escapeMrkdwn, truncate } from './mrkdwn.js';
import { parsePrivateMetadata } from './private-metadata.js';
import { plainText, sectionBlock } from './run-format.js';
import type { ModalView } from './types.js';

/** Slack's ceiling for a text input; the engine takes notes up to 10,000 chars. */
export const FAIL_REASON_MAX_CHARS = 3000;

export const FailContext = z.strictObject({
  run_id: z.string().regex(/^run_[A-Za-z0-9]{1,64}$/, { error: 'must be a run id' }),
  step_id: z.string().min(1).max(100),
  visit: z.number().int().min(1),
  /** The run message to update afterwards; null when the button was not on a message. */
  channel_id: z.string().min(1).max(64).nullable(),
  message_ts: z.string().min(1).max(64).nullable(),
});
export type FailContext = z.infer<typeof FailContext>;

export function buildFailModal(ctx: FailContext & { stepLabel: string }): ModalView {
  const { stepLabel, ...rest } = ctx;
  // Parsing drops nothing but checks the shape, so what goes out is what parseFailContext takes back.
  const metadata = JSON.stringify(FailContext.parse(rest));
  const label = stepLabel.trim() === '' ? ctx.step_id : stepLabel;
  return {
    type: 'modal',
    callback_id: ViewId.FailReason,
    title: plainText('Fail step'),
    submit: plainText('Fail step'),
    close: plainText('Cancel'),
    private_metadata: metadata,
    blocks: [
      sectionBlock(`Mark *${truncate(escapeMrkdwn(label), 500)}* as failed.`),
      {
        type: 'input',
        block_id: BlockId.FailReason,
        label: plainText('What went wrong?'),
        hint: plainText('Recorded on the step and in the run’s audit trail.'),
        element: {
          type: 'plain_text_input',
          action_id: INPUT_ACTION_ID,
          multiline: true,
          max_length: FAIL_REASON_MAX_CHARS,
          focus_on_load: true,
        },
      },
    ],
  };
}

/**
 * The reason typed into the fail modal (pass `view.state.values`), trimmed. Throws when it is
 * missing or blank; Slack refuses an empty required field, so that means a forged or
 * whitespace-only submission (answer with `{ response_action: 'errors', errors: { [BlockId.FailReason]: message } }`).
 */
export function readFailReason(stateValues: unknown): string {
  const reason = inputValue(parseStateValues(stateValues, 'fail modal'), BlockId.FailReason)?.trim();
  if (!reason) throw new Error('Say why the step failed: the reason is required');
  return reason;
}

/** Reads the modal's private_metadata back; throws naming the problem on anything else. */
export function parseFailContext(privateMetadata: string): FailContext {
  return parsePrivateMetadata(FailContext, privateMetadata, 'fail modal');
}

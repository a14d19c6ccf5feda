import type { BlockAction } from '@slack/bolt';

import type { MessageRef } from '../../run-notifier.js';

/** The message a button sat on, unless it was ephemeral (those cannot be updated by ts). */
export function clickedMessage(body: BlockAction): MessageRef | null {
  const container = body.container as { type?: string; channel_id?: string; message_ts?: string; is_ephemeral?: boolean } | undefined;
  if (container?.type !== 'message' || container.is_ephemeral || !container.channel_id || !container.message_ts) return null;
  return { channel: container.channel_id, ts: container.message_ts };
}

// The shapes the sandbox server sends its page, in one place for both sides: the server
// fills them with the bot's blocks and views as JSON (unknown), the page with the subset of
// Block Kit it renders. No imports, so the browser code can use it as it is.

/** A message as the page shows it; `ephemeral_to` only to that person. */
export interface WireMessage<B = unknown> {
  channel: string;
  ts: string;
  thread_ts?: string;
  user?: string;
  bot_id?: string;
  username?: string;
  text: string;
  blocks?: B[];
  /** Shown only to this user (chat.postEphemeral). */
  ephemeral_to?: string;
  edited?: boolean;
}

/** An open modal or Home view, whose it is, and the bot's inline errors (block_id → message). */
export interface WireView<V = Record<string, unknown>> {
  id: string;
  user: string;
  view: V;
  errors?: Record<string, string>;
}

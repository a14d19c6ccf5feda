import type { HomeView, KnownBlock, ModalView } from '@slack/types';

/** A message body: fallback `text` (notifications, screen readers) and its blocks. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

export type { HomeView, KnownBlock, ModalView };

// One message as Slack shows it: avatar, author, time, blocks (or the text when there are
// none), "(edited)" after a chat.update, and the thread's reply count.
import { Blocks } from './blocks.js';
import type { ActionPayload } from './elements.js';
import { Mrkdwn } from './mrkdwn.js';
import { formatMessageDateTime, formatMessageTime } from './slack-date.js';
import type { Message } from './types.js';
import { useWorkspace, userName, type Workspace } from './workspace.js';

export function authorName(message: Message, ws: Workspace): string {
  if (message.username) return message.username;
  if (message.bot_id) return ws.bot?.name ?? 'bot';
  return message.user ? userName(ws, message.user) : 'unknown';
}

// A stable colour per author, so people are told apart at a glance.
function avatarHue(name: string): number {
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.charCodeAt(0)) % 360;
  return hash;
}

export function Avatar({ name }: { name: string }) {
  return (
    <div class="avatar" aria-hidden="true" style={{ background: `hsl(${avatarHue(name)} 45% 42%)` }}>
      {name.charAt(0).toUpperCase()}
    </div>
  );
}

export interface MessageProps {
  message: Message;
  /** Replies in its thread; the "N replies" link shows when positive. */
  replyCount?: number;
  onAction: (message: Message, action: ActionPayload) => void;
  onOpenThread?: (message: Message) => void;
}

export function MessageView({ message, replyCount = 0, onAction, onOpenThread }: MessageProps) {
  const ws = useWorkspace();
  const author = authorName(message, ws);
  const ephemeral = message.ephemeral_to !== undefined;
  const hasBlocks = Array.isArray(message.blocks) && message.blocks.length > 0;
  return (
    <div class={ephemeral ? 'message ephemeral' : 'message'} data-testid="message" data-ts={message.ts} data-channel={message.channel}>
      {ephemeral && <div class="ephemeral-note">Only visible to you</div>}
      <div class="message-row">
        <Avatar name={author} />
        <div class="message-main">
          <div class="message-meta">
            <span class="message-author">{author}</span>
            {message.bot_id && <span class="app-badge">APP</span>}
            <time class="message-time" title={formatMessageDateTime(message.ts, ws.dates)}>
              {formatMessageTime(message.ts, ws.dates)}
            </time>
          </div>
          {hasBlocks ? <Blocks blocks={message.blocks} onAction={(a) => onAction(message, a)} /> : <Mrkdwn text={message.text ?? ''} />}
          {message.edited && <span class="message-edited">(edited)</span>}
          {replyCount > 0 && onOpenThread && (
            <button type="button" class="message-replies" data-testid="replies" onClick={() => onOpenThread(message)}>
              {replyCount} {replyCount === 1 ? 'reply' : 'replies'}
            </button>
          )}
        </div>
      </div>
    </div>
  );
}

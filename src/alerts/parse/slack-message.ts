// Reads a Slack Events API `message` leniently: Slack's payload is untrusted and varies by
// sender (incoming webhooks, apps, people), so each field falls back to "absent" instead of
// failing the whole message. Nothing here throws.
import { z } from 'zod';

const text = z.string().optional().catch(undefined);

// Colour is left out on purpose: the title already says firing or resolved, and Slack may
// hand back a named colour (`danger`) or a hex one, so it would add a guess, not a fact.
const SlackAttachment = z.object({ title: text, title_link: text, text, fallback: text, footer: text }).catch({});
export type SlackAttachment = z.infer<typeof SlackAttachment>;

const TextObject = z.object({ text }).catch({});

const SlackBlock = z
  .object({ type: text, text: TextObject.optional(), fields: z.array(TextObject).catch([]).optional() })
  .catch({});

const SlackMessage = z.object({
  type: text,
  subtype: text,
  text,
  user: text,
  bot_id: text,
  app_id: text,
  bot_profile: z.object({ id: text, app_id: text, name: text }).optional().catch(undefined),
  attachments: z.array(SlackAttachment).catch([]).optional(),
  blocks: z.array(SlackBlock).catch([]).optional(),
});
export type SlackMessage = z.infer<typeof SlackMessage>;

/** The message's fields we read, or undefined when it is not an object at all. */
export function readSlackMessage(input: unknown): SlackMessage | undefined {
  const parsed = SlackMessage.safeParse(input);
  return parsed.success ? parsed.data : undefined;
}

/** Who the bot is, so it never treats its own posts as alerts. */
export interface SelfIdentity {
  botId?: string;
  appId?: string;
  userId?: string;
}

// Only apps and webhooks raise alerts. A person quoting "[FIRING:1] InstanceDown" in chat
// must not start a runbook; edits and joins (other subtypes) are not new alerts either.
export function isFromOtherApp(message: SlackMessage, self: SelfIdentity = {}): boolean {
  if (message.subtype !== undefined && message.subtype !== 'bot_message') return false;
  const botId = message.bot_id ?? message.bot_profile?.id;
  const appId = message.app_id ?? message.bot_profile?.app_id;
  if (botId === undefined && message.subtype !== 'bot_message') return false;
  if (self.botId !== undefined && botId === self.botId) return false;
  if (self.appId !== undefined && appId === self.appId) return false;
  if (self.userId !== undefined && message.user === self.userId) return false;
  return true;
}

/** Slack's escaping undone and links reduced to their label: `<https://x|x>` → `x`, `&lt;` → `<`. */
export function plainText(value: string | undefined): string {
  if (!value) return '';
  return value
    .replace(/<((?:https?|mailto):[^>|]*)\|([^>]*)>/g, '$2')
    .replace(/<((?:https?|mailto):[^>|]*)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Everything a rule may match: text, attachment titles/texts/fallbacks, section and header blocks. */
export function wholeText(message: SlackMessage): string {
  const parts: (string | undefined)[] = [message.text];
  for (const a of message.attachments ?? []) parts.push(a.title, a.text, a.fallback);
  for (const block of message.blocks ?? []) {
    if (block.type !== 'section' && block.type !== 'header') continue;
    parts.push(block.text?.text, ...(block.fields ?? []).map((f) => f.text));
  }
  return parts
    .map((part) => plainText(part).trim())
    .filter((part) => part !== '')
    .join('\n');
}

// Reading the text back out of a rendered message or view.
import type { SlackMessage } from '../../../../src/bot/views/types.js';

/**
 * Every mrkdwn text in a message or view's blocks, in order: the only places Slack turns
 * <...> into mentions and links, so escaping checks run over all of them.
 */
export function mrkdwnTexts(message: { blocks: readonly unknown[] }): string[] {
  const texts: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      const obj = node as Record<string, unknown>;
      if (obj.type === 'mrkdwn' && typeof obj.text === 'string') texts.push(obj.text);
      Object.values(obj).forEach(visit);
    }
  };
  visit(message.blocks);
  return texts;
}

/** A message's fallback text and every mrkdwn text in it, one per line. */
export const allText = (message: SlackMessage) => [message.text, ...mrkdwnTexts(message)].join('\n');

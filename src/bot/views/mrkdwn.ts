// Slack mrkdwn treats <...> as links, mentions and broadcasts (<!channel>, <@U123>,
// <http://x|y>). Escaping &, < and > is what Slack documents as sufficient: a user who
// types those sequences sees them literally and nobody is pinged.
// https://api.slack.com/reference/surfaces/formatting#escaping

/** Escapes user-supplied text for a mrkdwn field. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const ENTITY = /&(amp|lt|gt);/g;

function splitsPair(text: string, index: number): boolean {
  const before = text.charCodeAt(index - 1);
  const after = text.charCodeAt(index);
  return before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff;
}

/**
 * The largest index ≤ `end` at which `text` may be cut: never inside an escape sequence
 * (`&amp;`), which would leave a bare `&` and garble the rest, nor between the halves of a
 * surrogate pair, which would leave a lone surrogate Slack renders as �.
 */
export function safeCutIndex(text: string, end: number): number {
  let cut = Math.max(0, Math.min(end, text.length));
  ENTITY.lastIndex = 0;
  for (let m = ENTITY.exec(text); m !== null && m.index < cut; m = ENTITY.exec(text)) {
    if (m.index + m[0].length > cut) cut = m.index;
  }
  if (cut > 0 && splitsPair(text, cut)) cut -= 1;
  return cut;
}

/**
 * Cuts text to at most `max` characters ending with `marker`, never inside an escape
 * sequence (`&amp;`) or a surrogate pair. Text that fits is returned unchanged. When `max`
 * leaves no room for the marker the text is cut without it, so the result always fits.
 */
export function truncate(text: string, max: number, marker = '…'): string {
  if (text.length <= max) return text;
  if (max <= marker.length) return text.slice(0, safeCutIndex(text, max));
  return text.slice(0, safeCutIndex(text, max - marker.length)) + marker;
}

/**
 * Splits text into pieces of at most `max` characters, each cut at a safe index and, where
 * one is near the end of the window, after a line break or a space so words stay whole.
 * Joining the pieces gives back the text. Used to post long text over several sections.
 */
export function splitText(text: string, max: number): string[] {
  // Below 5 a piece could not hold `&amp;` whole, and cutting it is what this avoids.
  if (max < 5) throw new RangeError('splitText: max must be at least 5');
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = safeCutIndex(rest, max);
    const window = rest.slice(0, cut);
    const soft = Math.max(window.lastIndexOf('\n'), window.lastIndexOf(' '));
    // Only prefer a word break in the last quarter: otherwise pieces get needlessly short.
    if (soft >= Math.floor(max * 0.75)) cut = soft + 1;
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest.length > 0 || pieces.length === 0) pieces.push(rest);
  return pieces;
}

/** Inline code for a value we generate or that matches a strict pattern; escaped anyway. */
export function code(text: string): string {
  return `\`${escapeMrkdwn(text).replace(/`/g, 'ˋ')}\``;
}

/**
 * A fenced code block around already-escaped text, at most `max` characters in all. Three
 * backticks inside would close the fence early, and one at either end would merge with
 * it; zero-width spaces keep the block whole and the text readable.
 */
export function codeBlock(escaped: string, max = Number.POSITIVE_INFINITY): string {
  const fence = '```';
  let body = escaped.replace(/```/g, '`\u200b`\u200b`');
  if (body.startsWith('`')) body = `\u200b${body}`;
  body = truncate(body, max - 2 * fence.length - 1);
  if (body.endsWith('`')) body = `${body}\u200b`;
  return fence + (body === '' ? ' ' : body) + fence;
}

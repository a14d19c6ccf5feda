// Slack's mrkdwn, parsed into a small tree that mrkdwn.tsx turns into Preact nodes. Markup
// is recognised on the raw text and entities (&lt; &gt; &amp;) are decoded only in the
// leaves, once: so `&lt;b&gt;` shows as the text `<b>` and can never become a tag or a
// mention, which is what Slack's escaping promises the bot.
// https://api.slack.com/reference/surfaces/formatting

export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'bold' | 'italic' | 'strike'; children: Inline[] }
  | { kind: 'code'; text: string }
  | { kind: 'link'; url: string; children: Inline[] }
  | { kind: 'user'; id: string; label?: string }
  | { kind: 'channel'; id: string; label?: string }
  | { kind: 'broadcast'; name: string }
  | { kind: 'usergroup'; id: string; label?: string }
  | { kind: 'date'; seconds: number; format: string; link?: string; fallback: string };

export type MrkdwnBlock =
  | { kind: 'paragraph'; children: Inline[] }
  | { kind: 'quote'; children: Inline[] }
  | { kind: 'preformatted'; text: string };

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>' };

/** Slack's three escapes, decoded in one pass so `&amp;lt;` stays the text `&lt;`. */
export function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (_, name: string) => ENTITIES[name] ?? '');
}

const SAFE_URL = /^(https?:\/\/|mailto:)/i;

/** Only these become links: a `javascript:` URL from anyone must stay text. */
export function isSafeUrl(url: string): boolean {
  return SAFE_URL.test(url);
}

const MARKERS: Record<string, 'bold' | 'italic' | 'strike'> = { '*': 'bold', _: 'italic', '~': 'strike' };

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[\p{L}\p{N}]/u.test(ch);
}

function isSpace(ch: string | undefined): boolean {
  return ch === undefined || /\s/.test(ch);
}

/** End of the `<…>` token opening at `start`, or -1 when it is not one (Slack needs it on one line). */
function angleEnd(text: string, start: number): number {
  const end = text.indexOf('>', start + 1);
  if (end <= start + 1) return -1;
  const inner = text.slice(start + 1, end);
  return inner.includes('<') || inner.includes('\n') ? -1 : end;
}

function codeEnd(text: string, start: number): number {
  const end = text.indexOf('`', start + 1);
  if (end <= start + 1 || text.slice(start + 1, end).includes('\n')) return -1;
  return end;
}

/**
 * Where the `*`, `_` or `~` opening at `start` closes, or -1. Like Slack: the marker must
 * not touch a letter outside (so snake_case_names stay plain) nor a space inside, and the
 * span stays on one line. Links and code inside are skipped whole, so a marker in a URL
 * cannot close it.
 */
function markerEnd(text: string, start: number): number {
  const marker = text[start];
  if (isWordChar(text[start - 1]) || isSpace(text[start + 1]) || text[start + 1] === marker) return -1;
  for (let i = start + 1; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') return -1;
    if (ch === '<') {
      const end = angleEnd(text, i);
      if (end !== -1) i = end;
      continue;
    }
    if (ch === '`' && marker !== '`') {
      const end = codeEnd(text, i);
      if (end !== -1) i = end;
      continue;
    }
    if (ch === marker && i > start + 1 && !isSpace(text[i - 1]) && !isWordChar(text[i + 1])) return i;
  }
  return -1;
}

function splitLabel(inner: string): [string, string | undefined] {
  const bar = inner.indexOf('|');
  return bar === -1 ? [inner, undefined] : [inner.slice(0, bar), inner.slice(bar + 1)];
}

function nonEmpty(label: string | undefined): string | undefined {
  return label === undefined || label === '' ? undefined : decodeEntities(label);
}

/** One `<…>` token: a mention, a broadcast, a date or a link. */
function parseAngle(inner: string): Inline {
  const [target, label] = splitLabel(inner);
  if (target.startsWith('@')) return { kind: 'user', id: target.slice(1), label: nonEmpty(label) };
  if (target.startsWith('#')) return { kind: 'channel', id: target.slice(1), label: nonEmpty(label) };
  if (target.startsWith('!')) {
    const [command = '', ...args] = target.slice(1).split('^');
    if (command === 'here' || command === 'channel' || command === 'everyone') return { kind: 'broadcast', name: command };
    if (command === 'subteam') return { kind: 'usergroup', id: args[0] ?? '', label: nonEmpty(label) };
    if (command === 'date') {
      return {
        kind: 'date',
        seconds: Number(args[0]),
        format: decodeEntities(args[1] ?? ''),
        ...(args[2] !== undefined && { link: decodeEntities(args.slice(2).join('^')) }),
        fallback: decodeEntities(label ?? ''),
      };
    }
    return { kind: 'text', text: decodeEntities(label ?? `<${target}>`) };
  }
  // Not a URL at all (`<b>`): the text as typed, so raw HTML stays visible text.
  if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) return { kind: 'text', text: decodeEntities(`<${inner}>`) };
  const url = decodeEntities(target);
  const children = label !== undefined && label !== '' ? parseInline(label, false) : [{ kind: 'text' as const, text: url.replace(/^mailto:/i, '') }];
  return { kind: 'link', url, children };
}

/** Bold, italic, strike, code and (unless inside a link label) `<…>` tokens. */
export function parseInline(text: string, allowAngle = true): Inline[] {
  const out: Inline[] = [];
  let plain = '';
  const flush = () => {
    if (plain !== '') out.push({ kind: 'text', text: decodeEntities(plain) });
    plain = '';
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i] ?? '';
    if (ch === '<' && allowAngle) {
      const end = angleEnd(text, i);
      if (end !== -1) {
        flush();
        out.push(parseAngle(text.slice(i + 1, end)));
        i = end + 1;
        continue;
      }
    }
    if (ch === '`') {
      const end = codeEnd(text, i);
      if (end !== -1) {
        flush();
        out.push({ kind: 'code', text: decodeEntities(text.slice(i + 1, end)) });
        i = end + 1;
        continue;
      }
    }
    const style = MARKERS[ch];
    if (style !== undefined) {
      const end = markerEnd(text, i);
      if (end !== -1) {
        flush();
        out.push({ kind: style, children: parseInline(text.slice(i + 1, end), allowAngle) });
        i = end + 1;
        continue;
      }
    }
    plain += ch;
    i += 1;
  }
  flush();
  return out;
}

// Slack quotes a line that starts with `>`; bots usually send it escaped, as `&gt;`.
const QUOTE_LINE = /^(?:>|&gt;) ?/;
const QUOTE_REST = /^(?:>>>|&gt;&gt;&gt;) ?/;

/** Lines of ordinary text: runs of quoted lines become quotes, the rest paragraphs. */
function parseLines(text: string, out: MrkdwnBlock[]): void {
  const lines = text.split('\n');
  let para: string[] = [];
  let quote: string[] = [];
  const flushPara = () => {
    if (para.length > 0) out.push({ kind: 'paragraph', children: parseInline(para.join('\n')) });
    para = [];
  };
  const flushQuote = () => {
    if (quote.length > 0) out.push({ kind: 'quote', children: parseInline(quote.join('\n')) });
    quote = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const rest = QUOTE_REST.exec(line);
    if (rest) {
      // `>>>` quotes everything after it.
      flushPara();
      quote.push(line.slice(rest[0].length), ...lines.slice(i + 1));
      break;
    }
    const quoted = QUOTE_LINE.exec(line);
    if (quoted) {
      flushPara();
      quote.push(line.slice(quoted[0].length));
    } else {
      flushQuote();
      para.push(line);
    }
  }
  flushPara();
  flushQuote();
}

/** Parses a mrkdwn text into paragraphs, quotes and ```preformatted``` blocks. */
export function parseMrkdwn(text: string): MrkdwnBlock[] {
  const out: MrkdwnBlock[] = [];
  const fence = /```([\s\S]*?)```/g;
  let last = 0;
  for (let m = fence.exec(text); m !== null; m = fence.exec(text)) {
    // A fence is a block of its own: the line breaks around it are not blank lines.
    const before = text.slice(last, m.index).replace(/\n$/, '');
    if (before !== '') parseLines(before, out);
    out.push({ kind: 'preformatted', text: decodeEntities((m[1] ?? '').replace(/^\n/, '').replace(/\n$/, '')) });
    last = m.index + m[0].length;
    if (text[last] === '\n') last += 1;
  }
  const rest = text.slice(last);
  if (rest !== '' || out.length === 0) parseLines(rest, out);
  return out;
}

// Slack's `<!date^SECONDS^FORMAT|fallback>` tokens, formatted with Intl so the page shows
// dates in the reader's locale and time zone, as Slack does. Locale, zone and "now" are
// injectable so tests get fixed output.

export interface DateOptions {
  /** BCP 47 locale; undefined means the browser's. */
  locale?: string;
  /** IANA zone; undefined means the browser's. */
  timeZone?: string;
  /** Unix ms, for today/yesterday/tomorrow; defaults to Date.now(). */
  now?: number;
}

// ICU 72+ puts a narrow no-break space before AM/PM; a plain one reads the same and keeps
// copied text (and test expectations) ordinary.
function tidy(text: string): string {
  return text.replace(/[\u202f\u00a0]/g, ' ');
}

function format(date: Date, opts: DateOptions, fields: Intl.DateTimeFormatOptions): string {
  return tidy(new Intl.DateTimeFormat(opts.locale, { ...fields, timeZone: opts.timeZone }).format(date));
}

/** The calendar day of `date` in the zone, as a day count, so days can be subtracted. */
function dayNumber(date: Date, timeZone: string | undefined): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(date);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(part('year'), part('month') - 1, part('day')) / 86_400_000;
}

function dateNum(date: Date, timeZone: string | undefined): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(date);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** "today", "yesterday" or "tomorrow" in the locale, or null for any other day. */
function prettyDay(date: Date, opts: DateOptions): string | null {
  const diff = dayNumber(date, opts.timeZone) - dayNumber(new Date(opts.now ?? Date.now()), opts.timeZone);
  if (Math.abs(diff) > 1) return null;
  return new Intl.RelativeTimeFormat(opts.locale, { numeric: 'auto' }).format(diff, 'day');
}

const TOKENS: Record<string, (date: Date, opts: DateOptions) => string> = {
  date_num: (d, o) => dateNum(d, o.timeZone),
  date: (d, o) => format(d, o, { dateStyle: 'long' }),
  date_short: (d, o) => format(d, o, { dateStyle: 'medium' }),
  date_long: (d, o) => format(d, o, { dateStyle: 'full' }),
  date_pretty: (d, o) => prettyDay(d, o) ?? format(d, o, { dateStyle: 'long' }),
  date_short_pretty: (d, o) => prettyDay(d, o) ?? format(d, o, { dateStyle: 'medium' }),
  date_long_pretty: (d, o) => prettyDay(d, o) ?? format(d, o, { dateStyle: 'full' }),
  time: (d, o) => format(d, o, { timeStyle: 'short' }),
  time_secs: (d, o) => format(d, o, { timeStyle: 'medium' }),
};

/**
 * Fills Slack's date tokens in `template`; null when the timestamp is not a number or the
 * template uses a token we do not know, so the caller shows Slack's fallback text instead.
 */
export function formatSlackDate(seconds: number, template: string, opts: DateOptions = {}): string | null {
  if (!Number.isFinite(seconds)) return null;
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return null;
  let unknown = false;
  const text = template.replace(/\{(\w+)\}/g, (whole, token: string, offset: number) => {
    const fill = TOKENS[token];
    if (!fill) {
      unknown = true;
      return whole;
    }
    const value = fill(date, opts);
    // A relative day opening the text reads as a sentence start: "Today at 9:00 AM".
    return offset === 0 && token.endsWith('_pretty') ? value.charAt(0).toLocaleUpperCase(opts.locale) + value.slice(1) : value;
  });
  return unknown ? null : text;
}

/** A message's time of day, as Slack shows it next to the author. */
export function formatMessageTime(ts: string, opts: DateOptions = {}): string {
  const seconds = Number(ts);
  if (!Number.isFinite(seconds)) return '';
  return format(new Date(seconds * 1000), opts, { timeStyle: 'short' });
}

/** The full date and time, for the time's tooltip. */
export function formatMessageDateTime(ts: string, opts: DateOptions = {}): string {
  const seconds = Number(ts);
  if (!Number.isFinite(seconds)) return '';
  return format(new Date(seconds * 1000), opts, { dateStyle: 'full', timeStyle: 'medium' });
}

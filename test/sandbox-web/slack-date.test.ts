import { describe, expect, it } from 'vitest';

import { formatMessageTime, formatSlackDate } from '../../src/sandbox/web/slack-date.js';
import { T0 } from './support.js';

const UTC_EN = { locale: 'en-US', timeZone: 'UTC', now: (T0 + 30 * 86_400) * 1000 };

describe('formatSlackDate', () => {
  it.each([
    ['{date_num}', '2023-11-14'],
    ['{date}', 'November 14, 2023'],
    ['{date_short}', 'Nov 14, 2023'],
    ['{date_long}', 'Tuesday, November 14, 2023'],
    ['{date_pretty}', 'November 14, 2023'],
    ['{date_short_pretty}', 'Nov 14, 2023'],
    ['{date_long_pretty}', 'Tuesday, November 14, 2023'],
    ['{time}', '10:13 PM'],
    ['{time_secs}', '10:13:20 PM'],
    ['Posted {date_num} at {time_secs}', 'Posted 2023-11-14 at 10:13:20 PM'],
  ])('formats %s', (template, expected) => {
    expect(formatSlackDate(T0, template, UTC_EN)).toBe(expected);
  });

  it('says today, yesterday and tomorrow for the pretty tokens', () => {
    const at = (days: number) => ({ ...UTC_EN, now: (T0 + days * 86_400) * 1000 });
    expect(formatSlackDate(T0, '{date_short_pretty} at {time}', at(0))).toBe('Today at 10:13 PM');
    expect(formatSlackDate(T0, 'until {date_pretty}', at(1))).toBe('until yesterday');
    expect(formatSlackDate(T0, 'until {date_long_pretty}', at(-1))).toBe('until tomorrow');
  });

  it('uses the zone for the calendar day', () => {
    // 22:13 UTC is already the next day in Tokyo.
    expect(formatSlackDate(T0, '{date_num} {time}', { locale: 'en-US', timeZone: 'Asia/Tokyo' })).toBe('2023-11-15 7:13 AM');
  });

  it('uses the locale', () => {
    expect(formatSlackDate(T0, '{date_short} {time}', { locale: 'de-DE', timeZone: 'UTC' })).toBe('14.11.2023 22:13');
  });

  it('gives null (use the fallback) for an unknown token or a bad timestamp', () => {
    expect(formatSlackDate(T0, '{date} {ago_not_a_token}', UTC_EN)).toBeNull();
    expect(formatSlackDate(Number.NaN, '{date}', UTC_EN)).toBeNull();
    expect(formatSlackDate(1e20, '{date}', UTC_EN)).toBeNull();
  });

  it("formats a message's time of day", () => {
    expect(formatMessageTime(`${T0}.000100`, UTC_EN)).toBe('10:13 PM');
    expect(formatMessageTime('not a ts', UTC_EN)).toBe('');
  });
});

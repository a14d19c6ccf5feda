import { describe, expect, it } from 'vitest';

import { Mrkdwn, TextView } from '../../src/sandbox/web/mrkdwn.js';
import { decodeEntities, parseInline, parseMrkdwn } from '../../src/sandbox/web/mrkdwn-parse.js';
import { render } from './support.js';

const md = (text: string) => render(<Mrkdwn text={text} />);
/** The rendered HTML without the wrapper, for short expectations. */
const inner = (text: string) => md(text).replace(/^<div class="mrkdwn"><div class="mk-p">/, '').replace(/<\/div><\/div>$/, '');

describe('mrkdwn formatting', () => {
  it('renders bold, italic, strike and inline code', () => {
    expect(inner('*bold* _italic_ ~strike~ `code`')).toBe(
      '<b>bold</b> <i>italic</i> <s>strike</s> <code class="mk-code">code</code>',
    );
  });

  it('nests formatting', () => {
    expect(inner('*bold _and italic_*')).toBe('<b>bold <i>and italic</i></b>');
  });

  it('leaves markers that touch letters or spaces alone, as Slack does', () => {
    expect(inner('snake_case_name')).toBe('snake_case_name');
    expect(inner('5 * 3 * 2')).toBe('5 * 3 * 2');
    expect(inner('a*b*')).toBe('a*b*');
    expect(inner('* not bold*')).toBe('* not bold*');
    expect(inner('*no end')).toBe('*no end');
  });

  it('does not format across lines', () => {
    expect(inner('*one\ntwo*')).toBe('*one\ntwo*');
  });

  it('keeps formatting characters inside code literal', () => {
    expect(inner('`*not bold* <@UOPS>`')).toBe('<code class="mk-code">*not bold* &lt;@UOPS></code>');
  });

  it('renders ```preformatted``` blocks without formatting their content', () => {
    expect(md('before\n```\nline *one*\n  line two\n```\nafter')).toBe(
      '<div class="mrkdwn"><div class="mk-p">before</div><pre class="mk-pre">line *one*\n  line two</pre><div class="mk-p">after</div></div>',
    );
  });

  it('quotes lines that start with > or its escape &gt;', () => {
    expect(md('intro\n> quoted *one*\n&gt; quoted two\nafter')).toBe(
      '<div class="mrkdwn"><div class="mk-p">intro</div><blockquote class="mk-quote">quoted <b>one</b>\nquoted two</blockquote><div class="mk-p">after</div></div>',
    );
  });

  it('quotes everything after >>>', () => {
    expect(md('&gt;&gt;&gt; a\nb')).toBe('<div class="mrkdwn"><blockquote class="mk-quote">a\nb</blockquote></div>');
  });

  it('keeps line breaks as text for the pre-wrap style', () => {
    expect(inner('one\ntwo')).toBe('one\ntwo');
  });
});

describe('mrkdwn links', () => {
  it('renders <url|label> and <url> as links that open in a new tab', () => {
    expect(inner('<https://example.com/a?b=1&amp;c=2|the label>')).toBe(
      '<a class="mk-link" href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">the label</a>',
    );
    expect(inner('<https://example.com>')).toBe(
      '<a class="mk-link" href="https://example.com" target="_blank" rel="noopener noreferrer">https://example.com</a>',
    );
  });

  it('formats bold inside a link label', () => {
    expect(inner('<https://example.com|*Open* run>')).toBe(
      '<a class="mk-link" href="https://example.com" target="_blank" rel="noopener noreferrer"><b>Open</b> run</a>',
    );
  });

  it('renders mailto links, showing the address when there is no label', () => {
    expect(inner('<mailto:ops@example.com|Mail ops>')).toBe(
      '<a class="mk-link" href="mailto:ops@example.com" target="_blank" rel="noopener noreferrer">Mail ops</a>',
    );
    expect(inner('<mailto:ops@example.com>')).toContain('>ops@example.com</a>');
  });

  it('never links a javascript: URL', () => {
    const html = inner('<javascript:alert(1)|click me>');
    expect(html).not.toContain('href');
    expect(html).toBe('<span class="mk-link-unsafe">click me</span>');
  });

  it('does not let a * inside a URL close bold', () => {
    expect(inner('*see <https://x.test/a*b|here>*')).toBe(
      '<b>see <a class="mk-link" href="https://x.test/a*b" target="_blank" rel="noopener noreferrer">here</a></b>',
    );
  });
});

describe('mrkdwn mentions', () => {
  it('shows user mentions as @name from the workspace users', () => {
    expect(inner('ping <@UOPS> and <@UAPP|old name>')).toBe(
      'ping <span class="mk-mention" data-user="UOPS">@olivia</span> and <span class="mk-mention" data-user="UAPP">@arthur</span>',
    );
  });

  it('shows the bot and unknown users by what is known', () => {
    expect(inner('<@UBOT>')).toBe('<span class="mk-mention" data-user="UBOT">@runbook-bot</span>');
    expect(inner('<@UNOBODY>')).toBe('<span class="mk-mention" data-user="UNOBODY">@UNOBODY</span>');
  });

  it('shows channel mentions as #name, from the label or the channel list', () => {
    expect(inner('<#CINC|incidents-label> <#COPS> <#CUNKNOWN>')).toBe(
      '<span class="mk-channel" data-channel="CINC">#incidents-label</span> ' +
        '<span class="mk-channel" data-channel="COPS">#ops</span> ' +
        '<span class="mk-channel" data-channel="CUNKNOWN">#CUNKNOWN</span>',
    );
  });

  it('shows broadcasts and user groups', () => {
    expect(inner('<!here> <!channel> <!subteam^S123|@oncall>')).toBe(
      '<span class="mk-mention mk-broadcast">@here</span> <span class="mk-mention mk-broadcast">@channel</span> <span class="mk-mention">@oncall</span>',
    );
  });
});

describe('mrkdwn dates', () => {
  it('formats <!date^…> tokens in the given locale and zone', () => {
    expect(inner('<!date^1700000000^{date_short} {time}|Nov 14>')).toBe(
      '<span><time class="mk-date" datetime="2023-11-14T22:13:20.000Z" title="Nov 14">Nov 14, 2023 10:13 PM</time></span>',
    );
  });

  it('shows the fallback for a date it cannot format', () => {
    expect(inner('<!date^1700000000^{unknown_token}|the fallback>')).toContain('>the fallback</time>');
    expect(inner('<!date^soon^{date}|later>')).toContain('>later</time>');
  });

  it('links a date that has a link', () => {
    expect(inner('<!date^1700000000^{date_num}^https://example.com|x>')).toContain('href="https://example.com"');
  });
});

describe('mrkdwn escaping', () => {
  it("decodes Slack's escapes once and shows them as text, never markup", () => {
    expect(inner('&lt;script&gt;alert(1)&lt;/script&gt;')).toBe('&lt;script>alert(1)&lt;/script>');
    expect(md('&lt;script&gt;')).not.toContain('<script');
  });

  it('decodes &amp;lt; to the visible text &lt;, not to <', () => {
    expect(decodeEntities('&amp;lt; &amp;amp;')).toBe('&lt; &amp;');
    expect(inner('&amp;lt;')).toBe('&amp;lt;');
  });

  it("keeps a user's raw <b> as text", () => {
    // Raw `<b>` is not a URL, so it shows as typed.
    expect(inner('<b>bold?</b>')).toBe('&lt;b>bold?&lt;/b>');
    expect(inner('<img src=x onerror=alert(1)>')).toBe('&lt;img src=x onerror=alert(1)>');
  });

  it('does not turn an escaped mention into a mention', () => {
    expect(inner('&lt;@UOPS&gt;')).toBe('&lt;@UOPS>');
  });

  it('escapes plain_text as given, without decoding or formatting', () => {
    expect(render(<TextView text={{ type: 'plain_text', text: '*not bold* &lt; <i>' }} />)).toBe(
      '<span class="plain-text">*not bold* &amp;lt; &lt;i></span>',
    );
  });
});

describe('mrkdwn parser', () => {
  it('parses an empty text to one empty paragraph', () => {
    expect(parseMrkdwn('')).toEqual([{ kind: 'paragraph', children: [] }]);
  });

  it('gives a link without a label its URL as text', () => {
    expect(parseInline('<https://a.test>')).toEqual([{ kind: 'link', url: 'https://a.test', children: [{ kind: 'text', text: 'https://a.test' }] }]);
  });
});

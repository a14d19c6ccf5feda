// Renders parsed mrkdwn (mrkdwn-parse.ts) as Preact nodes. Text only ever becomes text
// nodes, so whatever the bot or a user typed is escaped by Preact; nothing here uses
// dangerouslySetInnerHTML.
import type { ComponentChildren } from 'preact';

import { isSafeUrl, parseMrkdwn, type Inline, type MrkdwnBlock } from './mrkdwn-parse.js';
import { formatSlackDate } from './slack-date.js';
import type { TextObject } from './types.js';
import { channelName, useWorkspace, userName, type Workspace } from './workspace.js';

function Link({ url, children }: { url: string; children: ComponentChildren }) {
  if (!isSafeUrl(url)) return <span class="mk-link-unsafe">{children}</span>;
  return (
    <a class="mk-link" href={url} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  );
}

function renderInline(nodes: Inline[], ws: Workspace): ComponentChildren[] {
  return nodes.map((node, i) => {
    switch (node.kind) {
      case 'text':
        return node.text;
      case 'bold':
        return <b key={i}>{renderInline(node.children, ws)}</b>;
      case 'italic':
        return <i key={i}>{renderInline(node.children, ws)}</i>;
      case 'strike':
        return <s key={i}>{renderInline(node.children, ws)}</s>;
      case 'code':
        return (
          <code key={i} class="mk-code">
            {node.text}
          </code>
        );
      case 'link':
        return (
          <Link key={i} url={node.url}>
            {renderInline(node.children, ws)}
          </Link>
        );
      case 'user':
        // Slack shows the person's current name, whatever label the text carried.
        return (
          <span key={i} class="mk-mention" data-user={node.id}>
            @{ws.users.some((u) => u.id === node.id) || ws.bot?.user_id === node.id ? userName(ws, node.id) : (node.label ?? node.id)}
          </span>
        );
      case 'channel':
        return (
          <span key={i} class="mk-channel" data-channel={node.id}>
            #{node.label ?? channelName(ws, node.id)}
          </span>
        );
      case 'broadcast':
        return (
          <span key={i} class="mk-mention mk-broadcast">
            @{node.name}
          </span>
        );
      case 'usergroup':
        return (
          <span key={i} class="mk-mention">
            {node.label ?? `@${node.id}`}
          </span>
        );
      case 'date': {
        const text = formatSlackDate(node.seconds, node.format, ws.dates) ?? node.fallback;
        const when = Number.isFinite(node.seconds) ? new Date(node.seconds * 1000) : null;
        const time = (
          <time class="mk-date" dateTime={when && !Number.isNaN(when.getTime()) ? when.toISOString() : undefined} title={node.fallback}>
            {text}
          </time>
        );
        return node.link ? (
          <Link key={i} url={node.link}>
            {time}
          </Link>
        ) : (
          <span key={i}>{time}</span>
        );
      }
    }
  });
}

function renderBlock(block: MrkdwnBlock, i: number, ws: Workspace) {
  switch (block.kind) {
    case 'paragraph':
      return (
        <div key={i} class="mk-p">
          {renderInline(block.children, ws)}
        </div>
      );
    case 'quote':
      return (
        <blockquote key={i} class="mk-quote">
          {renderInline(block.children, ws)}
        </blockquote>
      );
    case 'preformatted':
      return (
        <pre key={i} class="mk-pre">
          {block.text}
        </pre>
      );
  }
}

/** A mrkdwn string as Slack renders it. */
export function Mrkdwn({ text }: { text: string }) {
  const ws = useWorkspace();
  return <div class="mrkdwn">{parseMrkdwn(text).map((block, i) => renderBlock(block, i, ws))}</div>;
}

/** A Block Kit text object: mrkdwn is formatted, plain_text shown exactly as sent. */
export function TextView({ text }: { text: TextObject | undefined | null }) {
  if (!text) return null;
  if (text.type === 'mrkdwn') return <Mrkdwn text={text.text} />;
  return <span class="plain-text">{text.text}</span>;
}

import { describe, expect, it } from 'vitest';

import { applyEvent, channelMessages, openViews, replyCounts, threadReplies } from '../../src/sandbox/web/store.js';
import type { Message, ViewState } from '../../src/sandbox/web/types.js';
import { state } from './support.js';

const m = (ts: string, over: Partial<Message> = {}): Message => ({ channel: 'COPS', ts, text: `m${ts}`, bot_id: 'B1', ...over });
const modal = (id: string, user = 'UOPS'): ViewState => ({ id, user, view: { type: 'modal', title: { type: 'plain_text', text: id }, blocks: [] } });

describe('store', () => {
  it('adds new messages in ts order and replaces one with the same channel and ts', () => {
    let s = state({ messages: [m('2.0'), m('10.0')] });
    s = applyEvent(s, { type: 'message', message: m('5.0') });
    expect(s.messages.map((x) => x.ts)).toEqual(['2.0', '5.0', '10.0']);
    s = applyEvent(s, { type: 'message', message: m('5.0', { text: 'new', edited: true }) });
    expect(s.messages.map((x) => x.text)).toEqual(['m2.0', 'new', 'm10.0']);
    // Same ts in another channel is another message.
    s = applyEvent(s, { type: 'message', message: m('5.0', { channel: 'CINC' }) });
    expect(s.messages).toHaveLength(4);
  });

  it('deletes by channel and ts', () => {
    const s = applyEvent(state({ messages: [m('1.0'), m('1.0', { channel: 'CINC' })] }), { type: 'delete', channel: 'COPS', ts: '1.0' });
    expect(s.messages).toEqual([m('1.0', { channel: 'CINC' })]);
  });

  it('stacks opened modals, updates one in place and drops closed ones', () => {
    let s = applyEvent(state(), { type: 'view', view: modal('V1') });
    s = applyEvent(s, { type: 'view', view: modal('V2') });
    s = applyEvent(s, { type: 'view', view: { ...modal('V1'), errors: { b: 'bad' } } });
    expect(s.views.map((v) => [v.id, v.errors])).toEqual([
      ['V1', { b: 'bad' }],
      ['V2', undefined],
    ]);
    s = applyEvent(s, { type: 'view_closed', id: 'V1' });
    expect(s.views.map((v) => v.id)).toEqual(['V2']);
  });

  it("keeps each user's Home", () => {
    const s = applyEvent(state(), { type: 'home', user: 'UAPP', view: { type: 'home', id: 'VH', blocks: [] } });
    expect(s.homes).toEqual({ UAPP: { type: 'home', id: 'VH', blocks: [] } });
  });

  it('shows ephemeral messages and modals only to their user', () => {
    const s = state({ messages: [m('1.0'), m('2.0', { ephemeral_to: 'UOPS' })], views: [modal('V1', 'UOPS'), modal('V2', 'UAPP')] });
    expect(channelMessages(s, 'COPS', 'UOPS').map((x) => x.ts)).toEqual(['1.0', '2.0']);
    expect(channelMessages(s, 'COPS', 'UAPP').map((x) => x.ts)).toEqual(['1.0']);
    expect(openViews(s, 'UAPP').map((v) => v.id)).toEqual(['V2']);
  });

  it('keeps thread replies out of the channel and counts them on the parent', () => {
    const s = state({
      messages: [m('1.0', { thread_ts: '1.0' }), m('2.0', { thread_ts: '1.0' }), m('3.0', { thread_ts: '1.0', ephemeral_to: 'UAPP' }), m('4.0')],
    });
    expect(channelMessages(s, 'COPS', 'UOPS').map((x) => x.ts)).toEqual(['1.0', '4.0']);
    expect(threadReplies(s, 'COPS', '1.0', 'UOPS').map((x) => x.ts)).toEqual(['2.0']);
    expect(threadReplies(s, 'COPS', '1.0', 'UAPP').map((x) => x.ts)).toEqual(['2.0', '3.0']);
    expect(replyCounts(s, 'COPS', 'UOPS').get('1.0')).toBe(1);
  });
});

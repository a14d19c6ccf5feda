// The shapes the sandbox server sends (see the contract in api.ts) and the subset of Block
// Kit the page renders. Everything arrives as JSON the bot produced, so every field the
// renderer reads is optional or checked where Slack would tolerate its absence.
import type { WireMessage, WireView } from '../wire.js';

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}

export interface MrkdwnText {
  type: 'mrkdwn';
  text: string;
  verbatim?: boolean;
}

export type TextObject = PlainText | MrkdwnText;

export interface OptionObject {
  text: TextObject;
  value: string;
  description?: PlainText;
}

export interface ConfirmObject {
  title?: PlainText;
  text?: TextObject;
  confirm?: PlainText;
  deny?: PlainText;
  style?: 'primary' | 'danger';
}

export interface ButtonElement {
  type: 'button';
  action_id?: string;
  text: PlainText;
  value?: string;
  url?: string;
  style?: 'primary' | 'danger';
  confirm?: ConfirmObject;
  accessibility_label?: string;
}

export interface StaticSelectElement {
  type: 'static_select';
  action_id?: string;
  placeholder?: PlainText;
  options?: OptionObject[];
  option_groups?: Array<{ label: PlainText; options: OptionObject[] }>;
  initial_option?: OptionObject;
  confirm?: ConfirmObject;
}

export interface PlainTextInputElement {
  type: 'plain_text_input';
  action_id?: string;
  placeholder?: PlainText;
  initial_value?: string;
  multiline?: boolean;
  min_length?: number;
  max_length?: number;
  focus_on_load?: boolean;
}

export interface ImageElement {
  type: 'image';
  image_url?: string;
  alt_text?: string;
}

/** Anything the renderer does not know; shown as unsupported rather than dropped. */
export interface OtherElement {
  type: string;
  action_id?: string;
}

export type InteractiveElement = ButtonElement | StaticSelectElement;
export type InputElement = PlainTextInputElement | StaticSelectElement;

export interface HeaderBlock {
  type: 'header';
  block_id?: string;
  text: PlainText;
}

export interface SectionBlock {
  type: 'section';
  block_id?: string;
  text?: TextObject;
  fields?: TextObject[];
  accessory?: ButtonElement | StaticSelectElement | ImageElement | OtherElement;
}

export interface ContextBlock {
  type: 'context';
  block_id?: string;
  elements: Array<TextObject | ImageElement>;
}

export interface DividerBlock {
  type: 'divider';
  block_id?: string;
}

export interface ActionsBlock {
  type: 'actions';
  block_id?: string;
  elements: Array<ButtonElement | StaticSelectElement | OtherElement>;
}

export interface InputBlock {
  type: 'input';
  block_id?: string;
  label: PlainText;
  element: PlainTextInputElement | StaticSelectElement | OtherElement;
  hint?: PlainText;
  optional?: boolean;
}

export interface ImageBlock {
  type: 'image';
  block_id?: string;
  image_url?: string;
  alt_text?: string;
  title?: PlainText;
}

export type Block = HeaderBlock | SectionBlock | ContextBlock | DividerBlock | ActionsBlock | InputBlock | ImageBlock;

/** A modal or App Home view as the bot sent it (plus the id Slack gave it). */
export interface View {
  id?: string;
  type: 'modal' | 'home';
  title?: PlainText | null;
  submit?: PlainText | null;
  close?: PlainText | null;
  blocks: Block[];
  callback_id?: string;
  private_metadata?: string;
}

export type Message = WireMessage<Block>;
export type ViewState = WireView<View>;

export interface SandboxUser {
  id: string;
  name: string;
  real_name: string;
  title: string;
}

export interface SandboxChannel {
  id: string;
  name: string;
}

export interface SandboxState {
  team: { id: string; name: string };
  bot: { user_id: string; name: string };
  users: SandboxUser[];
  channels: SandboxChannel[];
  messages: Message[];
  homes: Record<string, View>;
  views: ViewState[];
}

export type SandboxEvent =
  | { type: 'message'; message: Message }
  | { type: 'delete'; channel: string; ts: string }
  | { type: 'view'; view: ViewState }
  | { type: 'view_closed'; id: string }
  | { type: 'home'; user: string; view: View };

/** One element's entry in `view.state.values`. */
export type ElementState =
  | { type: 'plain_text_input'; value: string | null }
  | { type: 'static_select'; selected_option: { text: TextObject; value: string } | null };

/** Slack's `view.state.values`: block_id → action_id → element state. */
export type StateValues = Record<string, Record<string, ElementState>>;

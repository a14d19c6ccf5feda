// Walks a rendered message or view and lists every Block Kit limit it breaks, so a test
// can assert `toEqual([])` and see all the problems at once when it fails.
import { SLACK_LIMITS as L } from '../../../../src/bot/views/limits.js';
import type { HomeView, ModalView, SlackMessage } from '../../../../src/bot/views/types.js';

type Node = Record<string, unknown>;

/** A confirm dialog's confirm and deny buttons (not in SLACK_LIMITS, which the views own). */
const CONFIRM_BUTTON_TEXT = 30;

function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as Node).text === 'string') return (value as Node).text as string;
  return undefined;
}

function checkText(problems: string[], path: string, value: unknown, max: number): void {
  const text = textOf(value);
  if (text === undefined) return;
  if (text.length > max) problems.push(`${path}: ${text.length} chars > ${max}`);
  if (text.length === 0) problems.push(`${path}: empty text`);
}

function checkElement(problems: string[], path: string, el: Node, actionIds: Set<string>): void {
  if (typeof el.action_id === 'string') {
    if (el.action_id.length > L.actionId) problems.push(`${path}.action_id: longer than ${L.actionId}`);
    if (actionIds.has(el.action_id)) problems.push(`${path}.action_id: "${el.action_id}" repeated in one block`);
    actionIds.add(el.action_id);
  }
  if (el.type === 'button') {
    checkText(problems, `${path}.text`, el.text, L.buttonText);
    if (typeof el.value === 'string' && el.value.length > L.buttonValue) problems.push(`${path}.value: longer than ${L.buttonValue}`);
  }
  if (el.type === 'plain_text_input' && typeof el.initial_value === 'string' && el.initial_value.length > L.plainTextInitialValue) {
    problems.push(`${path}.initial_value: longer than ${L.plainTextInitialValue}`);
  }
  const confirm = el.confirm as Node | undefined;
  if (confirm) {
    checkText(problems, `${path}.confirm.title`, confirm.title, L.confirmTitle);
    checkText(problems, `${path}.confirm.text`, confirm.text, L.confirmText);
    checkText(problems, `${path}.confirm.confirm`, confirm.confirm, CONFIRM_BUTTON_TEXT);
    checkText(problems, `${path}.confirm.deny`, confirm.deny, CONFIRM_BUTTON_TEXT);
  }
}

function checkBlocks(problems: string[], blocks: unknown[], maxBlocks: number): void {
  if (blocks.length > maxBlocks) problems.push(`blocks: ${blocks.length} > ${maxBlocks}`);
  const blockIds = new Set<string>();
  blocks.forEach((raw, i) => {
    const block = raw as Node;
    const path = `blocks[${i}](${String(block.type)})`;
    if (typeof block.block_id === 'string') {
      if (block.block_id.length > L.blockId) problems.push(`${path}.block_id: longer than ${L.blockId}`);
      if (blockIds.has(block.block_id)) problems.push(`${path}.block_id: "${block.block_id}" repeated`);
      blockIds.add(block.block_id);
    }
    const actionIds = new Set<string>();
    switch (block.type) {
      case 'header':
        checkText(problems, `${path}.text`, block.text, L.headerText);
        break;
      case 'section': {
        checkText(problems, `${path}.text`, block.text, L.sectionText);
        const fields = (block.fields as unknown[] | undefined) ?? [];
        if (fields.length > L.sectionFields) problems.push(`${path}.fields: ${fields.length} > ${L.sectionFields}`);
        fields.forEach((f, j) => checkText(problems, `${path}.fields[${j}]`, f, L.sectionFieldText));
        if (block.accessory) checkElement(problems, `${path}.accessory`, block.accessory as Node, actionIds);
        if (block.text === undefined && fields.length === 0) problems.push(`${path}: neither text nor fields`);
        break;
      }
      case 'context': {
        const elements = (block.elements as Node[] | undefined) ?? [];
        if (elements.length > L.contextElements) problems.push(`${path}.elements: ${elements.length} > ${L.contextElements}`);
        elements.forEach((e, j) => checkText(problems, `${path}.elements[${j}]`, e, L.sectionText));
        break;
      }
      case 'actions': {
        const elements = (block.elements as Node[] | undefined) ?? [];
        if (elements.length > L.actionsElements) problems.push(`${path}.elements: ${elements.length} > ${L.actionsElements}`);
        if (elements.length === 0) problems.push(`${path}.elements: empty`);
        elements.forEach((e, j) => checkElement(problems, `${path}.elements[${j}]`, e, actionIds));
        break;
      }
      case 'input':
        checkText(problems, `${path}.label`, block.label, L.inputLabel);
        checkText(problems, `${path}.hint`, block.hint, L.inputHint);
        if (block.element) checkElement(problems, `${path}.element`, block.element as Node, actionIds);
        break;
      default:
        break;
    }
  });
}

/** Every limit a chat message breaks (50 blocks, section 3,000, header 150, buttons ...). */
export function messageLimitProblems(message: SlackMessage): string[] {
  const problems: string[] = [];
  if (message.text.length === 0) problems.push('text: empty fallback text');
  if (message.text.length > L.messageText) problems.push(`text: ${message.text.length} chars > ${L.messageText}`);
  checkBlocks(problems, message.blocks, L.messageBlocks);
  return problems;
}

/** Every limit a modal or App Home view breaks (100 blocks, private_metadata 3,000, title 24 ...). */
export function viewLimitProblems(view: ModalView | HomeView): string[] {
  const problems: string[] = [];
  checkBlocks(problems, view.blocks, L.viewBlocks);
  if (view.private_metadata !== undefined && view.private_metadata.length > L.privateMetadata) {
    problems.push(`private_metadata: ${view.private_metadata.length} chars > ${L.privateMetadata}`);
  }
  if (typeof view.callback_id === 'string' && view.callback_id.length > L.blockId) problems.push('callback_id: longer than 255');
  if (view.type === 'modal') {
    checkText(problems, 'title', view.title, L.modalTitle);
    if (view.submit) checkText(problems, 'submit', view.submit, L.modalButton);
    if (view.close) checkText(problems, 'close', view.close, L.modalButton);
  }
  return problems;
}

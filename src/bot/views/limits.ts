// Block Kit limits the views must respect (https://api.slack.com/reference/block-kit).
// Views are checked against these in unit tests; the builders cut text to fit them.
export const SLACK_LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  sectionText: 3000,
  sectionFieldText: 2000,
  sectionFields: 10,
  contextElements: 10,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  actionsElements: 25,
  privateMetadata: 3000,
  modalTitle: 24,
  modalButton: 24,
  inputLabel: 2000,
  inputHint: 2000,
  plainTextInitialValue: 3000,
  staticSelectOptionText: 75,
  confirmTitle: 100,
  confirmText: 300,
  /** Fallback `text` of a message. Slack truncates at 40,000; we keep it short. */
  messageText: 3000,
} as const;

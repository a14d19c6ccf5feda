// Slack gives every block and element without an id one of its own and sends it back with
// each action. The sandbox derives it from the position instead, so it stays the same
// across re-renders of the same message.

export function blockIdOf(block: { block_id?: string }, index: number): string {
  return block.block_id ?? `block-${index}`;
}

export function actionIdOf(element: { action_id?: string }, index: number): string {
  return element.action_id ?? `action-${index}`;
}

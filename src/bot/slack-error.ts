/** Slack's error code for a failed Web API call (`not_in_channel`, …), else the error's message. */
export function slackErrorCode(error: unknown): string {
  const code = (error as { data?: { error?: string } } | null)?.data?.error;
  return code ?? (error instanceof Error ? error.message : String(error));
}

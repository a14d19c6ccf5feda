// A failed job's log line names its run: job data is a pointer ({runId, ...}), but a job that
// failed may be one whose data did not parse, so the id is read, not trusted.

/** The run a job points at, when its data carries a string `runId`. */
export function jobRunId(job: { data?: unknown } | undefined): string | undefined {
  const data = job?.data;
  const id = typeof data === 'object' && data !== null ? (data as { runId?: unknown }).runId : undefined;
  return typeof id === 'string' ? id : undefined;
}

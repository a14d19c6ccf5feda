// Reference 002's MCP tools (and get_run, list_devices): each a name, the zod schemas of what
// it takes and answers (the REST API's own request and answer schemas, so both surfaces
// refuse and say the same), honest annotations, and a call of one service method.
import { z } from 'zod';

import { presentCurrent, presentRun, presentRunDetail, presentRunSummary } from '../api/present-run.js';
import { presentRunbook, presentRunbookSummary } from '../api/present-runbook.js';
import { definedFields } from '../api/route.js';
import { Pagination, paginationOf } from '../api/schemas/common.js';
import { AdvanceBody, Current, FailBody, ListRunsQuery, Run, RunDetail, RunSummary, SkipBody, StartRunBody } from '../api/schemas/run-schemas.js';
import { CreateRunbookBody, ListRunbooksQuery, Runbook, RunbookSummary } from '../api/schemas/runbook-schemas.js';
import { COMMAND_LIMITS, RUN_STATUSES } from '../engine/index.js';
import { ErrorCode, isAppError } from '../errors.js';
import type { Devices } from '../services/devices.js';
import type { Principal } from '../services/principal.js';
import type { Runbooks } from '../services/runbooks.js';
import type { RunCommand, Runs } from '../services/runs.js';

export interface McpServices {
  runs: Runs;
  runbooks: Runbooks;
  devices: Devices;
}

export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint: boolean;
}

export interface McpTool<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations: ToolAnnotations;
  call(who: Principal, args: z.output<I>, services: McpServices): Promise<z.input<O>>;
}

const tool = <I extends z.ZodObject, O extends z.ZodObject>(definition: McpTool<I, O>): McpTool => definition as unknown as McpTool;

const RunId = z.strictObject({ run_id: z.string().min(1).max(100).describe('Run ID (run_…)') });
const READ: ToolAnnotations = { readOnlyHint: true, openWorldHint: false };
// Commands change a run; none is idempotent without an Idempotency-Key, which MCP calls do not carry.
const CHANGE: ToolAnnotations = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false };

const Device = z.object({
  id: z.string(),
  hostname: z.string(),
  os: z.object({ platform: z.string(), release: z.string(), arch: z.string() }),
  status: z.enum(['online', 'offline']),
  tags: z.array(z.string()),
  tools: z.array(z.string()),
  last_seen: z.iso.datetime(),
});

const stepCommand = async (who: Principal, services: McpServices, runId: string, command: RunCommand) =>
  presentCurrent((await services.runs.command(who, runId, command)).run);


export const MCP_TOOLS: readonly McpTool[] = [
  tool({
    name: 'create_runbook',
    title: 'Create a runbook',
    description:
      'Create a new runbook template: a name, steps and optional variables. Steps are wired linearly by default; give next_on_outcome only for branching steps. Published at once unless status is "draft".',
    input: CreateRunbookBody,
    output: Runbook,
    annotations: CHANGE,
    async call(who, args, { runbooks }) {
      const { status, ...definition } = args;
      return presentRunbook(await runbooks.create(who, definition, status ? { status } : {}));
    },
  }),
  tool({
    name: 'list_runbooks',
    title: 'List runbooks',
    description: 'List available runbook templates. Use it to find an existing procedure before creating a new one.',
    input: z.strictObject({
      category: ListRunbooksQuery.shape.category.describe('Filter by category'),
      tags: z.array(z.string().min(1).max(50)).max(20).optional().describe('Filter by tags (any of them)'),
      limit: z.int().min(1).max(100).default(20).describe('Max results (default 20, max 100)'),
      cursor: ListRunbooksQuery.shape.cursor.describe('next_cursor of the previous page'),
    }),
    output: z.object({ runbooks: z.array(RunbookSummary), pagination: Pagination }),
    annotations: READ,
    async call(who, args, { runbooks }) {
      const page = await runbooks.list(who, {
        limit: args.limit,
        ...definedFields({ category: args.category, cursor: args.cursor }),
        ...(args.tags?.length ? { anyTags: args.tags } : {}),
      });
      const counts = await runbooks.stepCounts(page);
      return {
        runbooks: page.items.map((r) => presentRunbookSummary(r, counts.get(r.id) ?? 0)),
        pagination: paginationOf(page, args.limit),
      };
    },
  }),
  tool({
    name: 'start_run',
    title: 'Start a run',
    description:
      'Start a new execution of a runbook with variable values, and device_id for a runbook whose tool steps act on a device (see list_devices). Returns the run and its first step to execute.',
    input: StartRunBody.extend({ runbook_id: z.string().min(1).max(300).describe('Runbook ID (rnb_…), or its name') }),
    output: Run,
    annotations: CHANGE,
    async call(who, args, { runs }) {
      const started = await runs.start(who, { runbook: args.runbook_id, ...definedFields({ variables: args.variables, channel: args.channel, device: args.device_id }) });
      return presentRun(started.run, args.channel ? started.slack : undefined);
    },
  }),
  tool({
    name: 'get_current_step',
    title: 'Where a run stands',
    description:
      'The primary resume call: at session start, learn where a run is and what to do next. Returns the current step (with its approval state on a gate), progress, completed steps and variables.',
    input: RunId,
    output: Current,
    annotations: READ,
    async call(who, args, { runs }) {
      return presentCurrent(await runs.get(who, args.run_id));
    },
  }),
  tool({
    name: 'advance_step',
    title: 'Complete the current step',
    description:
      'Complete the current step and move on: an outcome for branching (default "done"), notes, optional structured output. A gate waits for a person to approve or reject it; until then this answers that it waits, and who may decide.',
    input: AdvanceBody.extend(RunId.shape),
    output: Current,
    annotations: CHANGE,
    async call(who, { run_id, ...fields }, services) {
      try {
        return await stepCommand(who, services, run_id, { type: 'advance', source: 'mcp', ...definedFields(fields) } as RunCommand);
      } catch (error) {
        // Not a mistake to correct: the run stands where it was and says who must decide.
        if (isAppError(error) && error.code === ErrorCode.AwaitingApproval) return presentCurrent(await services.runs.get(who, run_id));
        throw error;
      }
    },
  }),
  tool({
    name: 'skip_step',
    title: 'Skip the current step',
    description: 'Skip the current step. Only steps that are not required can be skipped.',
    input: SkipBody.extend(RunId.shape),
    output: Current,
    annotations: CHANGE,
    async call(who, { run_id, ...fields }, services) {
      return stepCommand(who, services, run_id, { type: 'skip', source: 'mcp', ...definedFields(fields) } as RunCommand);
    },
  }),
  tool({
    name: 'fail_step',
    title: 'Fail the current step',
    description: 'Mark the current step as failed, and with it the run. The run can be retried later.',
    input: FailBody.extend(RunId.shape),
    output: Current,
    annotations: { ...CHANGE, destructiveHint: true },
    async call(who, { run_id, ...fields }, services) {
      return stepCommand(who, services, run_id, { type: 'fail', source: 'mcp', ...definedFields(fields) } as RunCommand);
    },
  }),
  tool({
    name: 'pause_run',
    title: 'Pause a run',
    description:
      'Pause a running run, e.g. when ending a session mid-procedure or waiting for an external dependency. Resume later by calling get_current_step and advancing.',
    input: RunId.extend({ reason: z.string().max(COMMAND_LIMITS.reasonChars).optional().describe('Why the run is paused (kept in its audit trail)') }),
    output: Current,
    annotations: CHANGE,
    async call(who, { run_id, reason }, services) {
      return stepCommand(who, services, run_id, { type: 'pause', source: 'mcp', ...definedFields({ reason }) } as RunCommand);
    },
  }),
  tool({
    name: 'list_runs',
    title: 'List runs',
    description: 'List runs, newest first. Filter by status (comma-separated, e.g. "running,paused") to find runs to resume at session start.',
    input: z.strictObject({
      status: ListRunsQuery.shape.status.describe(`Comma-separated statuses: ${RUN_STATUSES.join(', ')}`),
      runbook_id: ListRunsQuery.shape.runbook_id.describe('Filter by runbook template'),
      limit: z.int().min(1).max(100).default(20).describe('Max results (default 20, max 100)'),
      cursor: ListRunsQuery.shape.cursor.describe('next_cursor of the previous page'),
    }),
    output: z.object({ runs: z.array(RunSummary), pagination: Pagination }),
    annotations: READ,
    async call(who, args, { runs }) {
      const page = await runs.page(who, {
        limit: args.limit,
        ...(args.status?.length ? { status: args.status } : {}),
        ...definedFields({ runbookId: args.runbook_id, cursor: args.cursor }),
      });
      return {
        runs: page.items.map(presentRunSummary),
        pagination: paginationOf(page, args.limit),
      };
    },
  }),
  tool({
    name: 'get_run',
    title: 'A whole run',
    description: "A run with every step's state, outcome, notes and output.",
    input: RunId,
    output: RunDetail,
    annotations: READ,
    async call(who, args, { runs }) {
      return presentRunDetail(await runs.get(who, args.run_id));
    },
  }),
  tool({
    name: 'list_devices',
    title: 'List devices',
    description: 'Devices whose runners have registered: status, tags and the tools they offer. Runbooks with tool steps run on one of them.',
    input: z.strictObject({ tag: z.string().min(1).max(50).optional().describe('Only devices with this tag') }),
    output: z.object({ devices: z.array(Device) }),
    annotations: READ,
    async call(who, args, { devices }) {
      const list = await devices.list(who, definedFields({ tag: args.tag }));
      return {
        devices: list.map((d) => ({
          id: d.id,
          hostname: d.hostname,
          os: d.os,
          status: d.status,
          tags: d.tags,
          tools: d.tools,
          last_seen: new Date(d.last_seen).toISOString(),
        })),
      };
    },
  }),
];

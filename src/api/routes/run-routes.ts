// /v1/runbooks/:id/runs and /v1/runbooks/runs…: start, list, read, the current step, advance,
// skip, fail, status changes (reference 002), and approve / reject for API keys a runbook
// names as approvers (ours).
import type { Run } from '../../engine/index.js';
import type { RunCommand, Runs } from '../../services/runs.js';

type StepCommand = 'advance' | 'skip' | 'fail' | 'approve' | 'reject';
import { presentCurrent, presentRun, presentRunDetail, presentRunSummary } from '../present-run.js';
import { defineRoute, definedFields, type ApiRoute, type RouteContext } from '../route.js';
import { paginationOf, RunbookIdParam, RunIdParam } from '../schemas/common.js';
import {
  AdvanceBody,
  CurrentResponse,
  DecideBody,
  FailBody,
  ListRunsQuery,
  RunDetailResponse,
  RunListResponse,
  RunResponse,
  RunStatusResponse,
  SkipBody,
  StartRunBody,
  UpdateRunBody,
} from '../schemas/run-schemas.js';

const current = (run: Run) => ({ status: 200, body: { data: presentCurrent(run) } });

export function runRoutes(runs: Runs): ApiRoute[] {
  const stepRoute = (type: StepCommand, body: typeof AdvanceBody | typeof SkipBody | typeof FailBody | typeof DecideBody, summary: string, scope: 'run' | 'approve') =>
    defineRoute({
      method: 'POST',
      path: `/v1/runbooks/runs/:run_id/${type}`,
      operationId: `${type}Step`,
      summary,
      scope,
      params: RunIdParam,
      body,
      success: { status: 200, schema: CurrentResponse },
      errors: [404, 409, 422],
      async handle({ who, params, body: input, idempotencyKey }: RouteContext<{ run_id: string }, unknown, Record<string, unknown>>) {
        const fields = definedFields(input);
        const command = { type, ...fields, source: 'api', ...(idempotencyKey ? { key: idempotencyKey } : {}) } as RunCommand;
        return current((await runs.command(who, params.run_id, command)).run);
      },
    });

  return [
    defineRoute({
      method: 'GET',
      path: '/v1/runbooks/runs',
      operationId: 'listRuns',
      summary: 'Runs across runbooks, newest first',
      scope: 'read',
      query: ListRunsQuery,
      success: { status: 200, schema: RunListResponse },
      errors: [422],
      async handle({ who, query }) {
        const page = await runs.page(who, {
          limit: query.limit,
          ...(query.status?.length ? { status: query.status } : {}),
          ...(query.runbook_id ? { runbookId: query.runbook_id } : {}),
          ...(query.started_after ? { startedAfter: Date.parse(query.started_after) } : {}),
          ...(query.cursor ? { cursor: query.cursor } : {}),
        });
        return {
          status: 200,
          body: {
            data: page.items.map(presentRunSummary),
            pagination: paginationOf(page, query.limit),
          },
        };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/runbooks/runs/:run_id',
      operationId: 'getRun',
      summary: 'A run with every step’s state, outcome, notes and output',
      scope: 'read',
      params: RunIdParam,
      success: { status: 200, schema: RunDetailResponse },
      errors: [404],
      async handle({ who, params }) {
        return { status: 200, body: { data: presentRunDetail(await runs.get(who, params.run_id)) } };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/runbooks/runs/:run_id/current',
      operationId: 'getCurrentStep',
      summary: 'Where the run stands: the resume endpoint',
      scope: 'read',
      params: RunIdParam,
      success: { status: 200, schema: CurrentResponse },
      errors: [404],
      async handle({ who, params }) {
        return current(await runs.get(who, params.run_id));
      },
    }),
    stepRoute('advance', AdvanceBody, 'Complete the current step with an outcome and move on', 'run'),
    stepRoute('skip', SkipBody, 'Skip the current step (only steps that are not required)', 'run'),
    stepRoute('fail', FailBody, 'Fail the current step, and with it the run (retry later with status running)', 'run'),
    stepRoute('approve', DecideBody, 'Approve the current gate (API keys the runbook names as approvers)', 'approve'),
    stepRoute('reject', DecideBody, 'Reject the current gate (API keys the runbook names as approvers)', 'approve'),
    defineRoute({
      method: 'PUT',
      path: '/v1/runbooks/runs/:run_id',
      operationId: 'updateRun',
      summary: 'Pause, resume, cancel, or retry a failed run (status running)',
      scope: 'run',
      params: RunIdParam,
      body: UpdateRunBody,
      success: { status: 200, schema: RunStatusResponse },
      errors: [404, 409, 422],
      async handle({ who, params, body, idempotencyKey }) {
        const run = await runs.setStatus(who, params.run_id, body.status, idempotencyKey);
        return { status: 200, body: { data: { id: run.id, status: run.status } } };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/runbooks/:id/runs',
      operationId: 'startRun',
      summary: 'Start a run of the published version; answers with the first step',
      scope: 'run',
      params: RunbookIdParam,
      body: StartRunBody,
      success: { status: 201, schema: RunResponse },
      errors: [404, 409, 422],
      async handle({ who, params, body, idempotencyKey }) {
        const started = await runs.start(who, {
          runbook: params.id,
          ...(body.variables ? { variables: body.variables } : {}),
          ...(body.device_id ? { device: body.device_id } : {}),
          ...(body.channel ? { channel: body.channel } : {}),
          ...(idempotencyKey ? { key: idempotencyKey } : {}),
        });
        return { status: 201, body: { data: presentRun(started.run, body.channel ? started.slack : undefined) } };
      },
    }),
  ];
}

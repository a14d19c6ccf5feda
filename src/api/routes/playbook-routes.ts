// /v1/playbooks: reference 001's device playbooks. A playbook is a published runbook that
// runs tools on a device; an execution is one of our runs on a device, started and read
// through the same run services as every other surface, answered in 001's camelCase shapes.
import { AppError, ErrorCode } from '../../errors.js';
import type { Runbooks } from '../../services/runbooks.js';
import type { Runs } from '../../services/runs.js';
import { HttpError } from '../api-error.js';
import { presentExecution, presentExecutionWithPlaybook, runStatusesOf } from '../present-execution.js';
import { presentPlaybook } from '../present-playbook.js';
import { defineRoute, type ApiRoute } from '../route.js';
import { paginationOf, RunbookIdParam } from '../schemas/common.js';
import {
  ExecutePlaybookBody,
  ExecutionIdParam,
  ExecutionListResponse,
  ExecutionResponse,
  ListExecutionsQuery,
  ListPlaybooksQuery,
  PlaybookListResponse,
  PlaybookResponse,
} from '../schemas/playbook-schemas.js';

/**
 * 001's execute answers 404 for a device that is unknown or offline (other surfaces say
 * offline is a conflict), and a 403 that lists the permissions missing.
 */
function executeRefusal(error: unknown): unknown {
  if (!(error instanceof AppError)) return error;
  if (error.details?.device_status === 'offline') return new HttpError(404, 'not_found', error.message);
  const missing = error.details?.missing;
  if (error.code === ErrorCode.Forbidden && Array.isArray(missing)) {
    return new HttpError(403, 'forbidden', error.message, {}, undefined, { missingPermissions: missing as string[] });
  }
  return error;
}

export function playbookRoutes(services: { runs: Runs; runbooks: Runbooks }): ApiRoute[] {
  const { runs, runbooks } = services;
  return [
    defineRoute({
      method: 'GET',
      path: '/v1/playbooks/executions',
      operationId: 'listPlaybookExecutions',
      summary: 'Executions (runs on a device), newest first',
      scope: 'read',
      query: ListExecutionsQuery,
      success: { status: 200, schema: ExecutionListResponse },
      errors: [422],
      async handle({ who, query }) {
        const page = await runs.page(who, {
          limit: query.limit,
          onDevice: true,
          ...(query.deviceId ? { deviceId: query.deviceId } : {}),
          ...(query.playbookId ? { runbookId: query.playbookId } : {}),
          ...(query.status ? { status: runStatusesOf(query.status) } : {}),
          ...(query.cursor ? { cursor: query.cursor } : {}),
        });
        // 001 lists whole records (each with its steps), so every run is read in full.
        const executions = await Promise.all(page.items.map(async (item) => presentExecution(await runs.get(who, item.id))));
        return {
          status: 200,
          body: { data: executions, pagination: paginationOf(page, query.limit) },
        };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/playbooks/executions/:id',
      operationId: 'getPlaybookExecution',
      summary: 'An execution with every step’s tool, input, output, status and timing',
      scope: 'read',
      params: ExecutionIdParam,
      success: { status: 200, schema: ExecutionResponse },
      errors: [404],
      async handle({ who, params }) {
        const run = await runs.get(who, params.id);
        if (run.device_id === null) throw new AppError(ErrorCode.NotFound, `run ${run.id} is no playbook execution: it runs on no device`);
        return { status: 200, body: presentExecutionWithPlaybook(run) };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/playbooks',
      operationId: 'listPlaybooks',
      summary: 'Playbooks: published runbooks that run tools on a device',
      scope: 'read',
      query: ListPlaybooksQuery,
      success: { status: 200, schema: PlaybookListResponse },
      errors: [422],
      async handle({ who, query }) {
        const category = query.category === undefined || query.category === 'all' ? {} : { category: query.category };
        return { status: 200, body: { data: (await runbooks.playbooks(who, category)).map(presentPlaybook) } };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/playbooks/:id',
      operationId: 'getPlaybook',
      summary: 'A playbook with the steps of the version an execution runs',
      scope: 'read',
      params: RunbookIdParam,
      success: { status: 200, schema: PlaybookResponse },
      errors: [404],
      async handle({ who, params }) {
        return { status: 200, body: { data: presentPlaybook(await runbooks.playbook(who, params.id)) } };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/playbooks/:id/execute',
      operationId: 'executePlaybook',
      summary: 'Start an execution of the playbook on a device whose runner is online',
      scope: 'run',
      params: RunbookIdParam,
      body: ExecutePlaybookBody,
      success: { status: 201, schema: ExecutionResponse },
      errors: [404, 409, 422],
      async handle({ who, params, body, idempotencyKey }) {
        const { triggeredBy, ...context } = body.context ?? {};
        try {
          const { snapshot } = await runbooks.playbook(who, params.id, { toRun: true });
          const started = await runs.start(who, {
            runbook: snapshot,
            device: body.deviceId,
            ...(body.variables ? { variables: body.variables } : {}),
            trigger: { source: triggeredBy ?? 'api', context },
            ...(idempotencyKey ? { key: idempotencyKey } : {}),
          });
          return { status: 201, body: presentExecutionWithPlaybook(started.run) };
        } catch (error) {
          throw executeRefusal(error);
        }
      },
    }),
  ];
}

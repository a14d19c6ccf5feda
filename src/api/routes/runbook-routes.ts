// /v1/runbooks: create, list, get, update, delete, archive, publish and fork (reference 002,
// plus publish and fork from our lifecycle).

import type { Runbooks } from '../../services/runbooks.js';
import { presentRunbook, presentRunbookSummary } from '../present-runbook.js';
import { defineRoute, definedFields, type ApiRoute } from '../route.js';
import { Message, paginationOf, RunbookIdParam } from '../schemas/common.js';
import {
  CreateRunbookBody,
  ForkBody,
  ListRunbooksQuery,
  RunbookListResponse,
  RunbookResponse,
  UpdateRunbookBody,
} from '../schemas/runbook-schemas.js';

export function runbookRoutes(runbooks: Runbooks): ApiRoute[] {
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/runbooks',
      operationId: 'createRunbook',
      summary: 'Create a runbook (published unless status is draft)',
      scope: 'author',
      body: CreateRunbookBody,
      rawBody: true,
      success: { status: 201, schema: RunbookResponse },
      errors: [409, 422],
      async handle({ who, body }) {
        const { status, ...definition } = body as { status?: 'draft' | 'published' };
        const created = await runbooks.create(who, definition, status ? { status } : {});
        return { status: 201, body: { data: presentRunbook(created) } };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/runbooks',
      operationId: 'listRunbooks',
      summary: 'List runbooks (archived ones only with is_archived=true)',
      scope: 'read',
      query: ListRunbooksQuery,
      success: { status: 200, schema: RunbookListResponse },
      errors: [422],
      async handle({ who, query }) {
        const tags = query.tags?.split(',').map((t) => t.trim()).filter(Boolean);
        const page = await runbooks.list(who, {
          limit: query.limit,
          ...(query.cursor ? { cursor: query.cursor } : {}),
          ...(query.category ? { category: query.category } : {}),
          ...(tags?.length ? { anyTags: tags } : {}),
          ...(query.q ? { text: query.q } : {}),
          ...(query.is_archived === true ? { status: 'archived' as const } : {}),
        });
        const counts = await runbooks.stepCounts(page);
        return {
          status: 200,
          body: {
            data: page.items.map((r) => presentRunbookSummary(r, counts.get(r.id) ?? 0)),
            pagination: paginationOf(page, query.limit),
          },
        };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/runbooks/:id',
      operationId: 'getRunbook',
      summary: 'A runbook with the steps of its latest version',
      scope: 'read',
      params: RunbookIdParam,
      success: { status: 200, schema: RunbookResponse },
      errors: [404],
      async handle({ who, params }) {
        return { status: 200, body: { data: presentRunbook(await runbooks.get(who, params.id)) } };
      },
    }),
    defineRoute({
      method: 'PUT',
      path: '/v1/runbooks/:id',
      operationId: 'updateRunbook',
      summary: 'Change metadata (a new version; a published runbook publishes it)',
      scope: 'author',
      params: RunbookIdParam,
      body: UpdateRunbookBody,
      success: { status: 200, schema: RunbookResponse },
      errors: [404, 409, 422],
      async handle({ who, params, body }) {
        const patch = definedFields(body);
        return { status: 200, body: { data: presentRunbook(await runbooks.update(who, params.id, patch)) } };
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/v1/runbooks/:id',
      operationId: 'deleteRunbook',
      summary: 'Delete a runbook, its versions and its runs (refused while a run is unfinished)',
      scope: 'admin',
      params: RunbookIdParam,
      success: { status: 204, schema: null },
      errors: [404, 409],
      async handle({ who, params }) {
        await runbooks.remove(who, params.id);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/runbooks/:id/archive',
      operationId: 'archiveRunbook',
      summary: 'Archive: hidden from lists, starts no new runs',
      scope: 'author',
      params: RunbookIdParam,
      success: { status: 200, schema: Message },
      errors: [404, 409],
      async handle({ who, params }) {
        await runbooks.archive(who, params.id);
        return { status: 200, body: { data: { message: 'Runbook archived.' } } };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/runbooks/:id/publish',
      operationId: 'publishRunbook',
      summary: 'Publish the latest version (new runs start from it)',
      scope: 'author',
      params: RunbookIdParam,
      success: { status: 200, schema: RunbookResponse },
      errors: [404, 409],
      async handle({ who, params }) {
        return { status: 200, body: { data: presentRunbook(await runbooks.publish(who, params.id)) } };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/runbooks/:id/fork',
      operationId: 'forkRunbook',
      summary: 'An independent copy that remembers its origin (global, or a company’s)',
      scope: 'author',
      params: RunbookIdParam,
      body: ForkBody,
      success: { status: 201, schema: RunbookResponse },
      errors: [404, 409, 422],
      async handle({ who, params, body }) {
        const forked = await runbooks.fork(who, params.id, {
          ...(body.company ? { company: body.company } : {}),
          ...(body.name ? { name: body.name } : {}),
        });
        return { status: 201, body: { data: presentRunbook(forked) } };
      },
    }),
  ];
}


// /v1/runbooks/:id/steps: add, change, remove and reorder steps. Each is a new version of
// the runbook; runs already started keep the version they pinned.
import type { Runbooks } from '../../services/runbooks.js';
import { presentStep } from '../present-runbook.js';
import { defineRoute, definedFields, type ApiRoute } from '../route.js';
import { RunbookIdParam, StepIdParam } from '../schemas/common.js';
import { ReorderStepsBody, StepBody, StepListResponse, StepResponse, UpdateStepBody } from '../schemas/runbook-schemas.js';

export function stepRoutes(runbooks: Runbooks): ApiRoute[] {
  return [
    // Before `/steps/:step_id`: the first matching route wins.
    defineRoute({
      method: 'PUT',
      path: '/v1/runbooks/:id/steps/reorder',
      operationId: 'reorderSteps',
      summary: 'Put the steps in this order',
      scope: 'author',
      params: RunbookIdParam,
      body: ReorderStepsBody,
      success: { status: 200, schema: StepListResponse },
      errors: [404, 409, 422],
      async handle({ who, params, body }) {
        const steps = await runbooks.reorderSteps(who, params.id, body.step_ids);
        return { status: 200, body: { data: steps.map(presentStep) } };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/runbooks/:id/steps',
      operationId: 'addStep',
      summary: 'Add a step at the end',
      scope: 'author',
      params: RunbookIdParam,
      body: StepBody,
      success: { status: 201, schema: StepResponse },
      errors: [404, 409, 422],
      async handle({ who, params, body }) {
        const { step } = await runbooks.addStep(who, params.id, body);
        return { status: 201, body: { data: presentStep(step) } };
      },
    }),
    defineRoute({
      method: 'PUT',
      path: '/v1/runbooks/:id/steps/:step_id',
      operationId: 'updateStep',
      summary: 'Change a step (only the fields given)',
      scope: 'author',
      params: StepIdParam,
      body: UpdateStepBody,
      success: { status: 200, schema: StepResponse },
      errors: [404, 409, 422],
      async handle({ who, params, body }) {
        const patch = definedFields(body);
        return { status: 200, body: { data: presentStep(await runbooks.updateStep(who, params.id, params.step_id, patch)) } };
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/v1/runbooks/:id/steps/:step_id',
      operationId: 'deleteStep',
      summary: 'Remove a step (refused while another step routes to it)',
      scope: 'author',
      params: StepIdParam,
      success: { status: 204, schema: null },
      errors: [404, 409, 422],
      async handle({ who, params }) {
        await runbooks.deleteStep(who, params.id, params.step_id);
        return { status: 204 };
      },
    }),
  ];
}

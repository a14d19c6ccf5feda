// Runbooks that run tools on a device in reference 001's playbook shape: camelCase, each step
// with 001's field names, optional fields left out where the step has none.
import type { z } from 'zod';

import { DEVICE_VARIABLE, type CompiledStep } from '../engine/index.js';
import type { PlaybookView } from '../services/runbooks.js';
import type { Playbook, PlaybookStep } from './schemas/playbook-schemas.js';

function presentPlaybookStep(step: CompiledStep): z.infer<typeof PlaybookStep> {
  const verify = step.verify;
  return {
    type: step.type,
    name: step.label,
    description: step.instruction,
    ...(step.tool === null ? {} : { tool: step.tool }),
    ...(step.tool_input === null ? {} : { toolInput: step.tool_input }),
    ...(step.wait_seconds === null ? {} : { waitSeconds: step.wait_seconds }),
    ...(verify === null
      ? {}
      : {
          verifyCondition: {
            metric: verify.metric,
            operator: verify.operator,
            value: verify.value,
            ...(verify.retry ? { retry: { intervalSeconds: verify.retry.interval_seconds, timeoutSeconds: verify.retry.timeout_seconds } } : {}),
          },
        }),
    onFailure: step.on_failure,
  };
}

export function presentPlaybook({ record, snapshot }: PlaybookView): z.infer<typeof Playbook> {
  const trigger = snapshot.trigger;
  return {
    id: record.id,
    name: snapshot.name,
    description: snapshot.description,
    category: snapshot.category,
    steps: snapshot.steps.map(presentPlaybookStep),
    requiredPermissions: snapshot.required_permissions,
    ...(trigger === null
      ? {}
      : {
          triggerConditions: {
            alertTypes: trigger.alert_types,
            deviceTags: trigger.device_tags,
            autoExecute: trigger.auto_execute,
            ...(trigger.min_severity === null ? {} : { minSeverity: trigger.min_severity }),
          },
        }),
    isBuiltIn: record.builtin,
    // Only published runbooks are playbooks here; a draft or an archived one is not listed.
    isActive: true,
    version: snapshot.version,
    audience: snapshot.audience,
    variables: snapshot.variables.filter((v) => v.name !== DEVICE_VARIABLE),
  };
}

export * from './types.js';
export { transition, APPLIED_KEYS_WINDOW } from './transition.js';
export { createRun, startRun, resolveVariables, resolveDevice, startInputs, VARIABLE_VALUE_MAX_CHARS, type NewRun, type DeviceChoice } from './create-run.js';
export { computeProgress } from './progress.js';
export { evaluateVerify, readMetric } from './verify-condition.js';
export { ALLOWED_TRANSITIONS, COMMAND_ALLOWED_FROM, canTransition, isTerminal } from './status-rules.js';
export { CommandSchema, COMMAND_LIMITS, OUTCOME_PATTERN, ActorSchema } from './command-schema.js';
export { MAX_STEP_VISITS, LOOP_GUARD_ERROR, currentStep, findStep, isToolStep, placeholderValues, runsTool, runsTools } from './step-flow.js';
export { gateDecision, type GateDecision, type GateOutcome } from './gate-steps.js';

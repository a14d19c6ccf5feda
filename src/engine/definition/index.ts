export {
  RunbookSource,
  StepSource,
  StepShape,
  VariableSource,
  AlertTriggerSource,
  VerifySource,
  ScopeSource,
  JsonValueSource,
  JsonObjectSource,
  LIMITS,
  SLUG_PATTERN,
  PERMISSION_PATTERN,
  VARIABLE_NAME_PATTERN,
  STEP_ID_PATTERN,
  STEP_REF_PATTERN,
  OUTCOME_KEY_PATTERN,
  TOOL_PATTERN,
  parseTarget,
  type StepTarget,
} from './schema.js';
export { parseDefinition, parseDefinitionText, formatProblem, type DefinitionProblem, type ParseResult } from './parse.js';
export { formatPath } from './problems.js';
export { isPlaybookFormat, fromPlaybookFormat } from './playbook-format.js';
export { compileRunbook } from './compile.js';
export { resolvePlaceholders, resolveJson } from './template.js';
export { canonicalJson, toYaml } from './canonical.js';

import { describe, expect, it } from 'vitest';
import { minimal, oneStep, problemsOf, text } from './helpers.js';
import { parseDefinition } from '../../../src/engine/definition/index.js';

const steps = (count: number) => Array.from({ length: count }, (_, i) => ({ label: `Step ${i + 1}` }));
const variables = (count: number) => Array.from({ length: count }, (_, i) => ({ name: `v${i}` }));
const tags = (count: number) => Array.from({ length: count }, (_, i) => `tag-${i}`);
const approvers = (count: number) => Array.from({ length: count }, (_, i) => `U${String(i).padStart(8, '0')}`);

// [what, definition, expected problem ("path: message") or null when it must be accepted]
const cases: [string, Record<string, unknown>, string | null][] = [
  ['a name of 255 characters', minimal({ name: text(255) }), null],
  ['a name of 256 characters', minimal({ name: text(256) }), 'name: must be at most 255 characters (got 256)'],
  ['an empty name', minimal({ name: '' }), 'name: must not be empty'],
  ['a missing name', { steps: [{ label: 'x' }] }, 'name: is required'],
  ['a description of 5000 characters', minimal({ description: text(5000) }), null],
  ['a description of 5001 characters', minimal({ description: text(5001) }), 'description: must be at most 5000 characters (got 5001)'],
  ['a category of 100 characters', minimal({ category: text(100) }), null],
  ['a category of 101 characters', minimal({ category: text(101) }), 'category: must be at most 100 characters (got 101)'],
  ['a category with hyphens and digits', minimal({ category: 'deploy-2' }), null],
  ['a category with capitals', minimal({ category: 'Deploy' }), 'category: must use only lowercase letters, digits and "-"'],
  ['a category with an underscore', minimal({ category: 'deploy_x' }), 'category: must use only lowercase letters, digits and "-"'],
  ['20 tags', minimal({ tags: tags(20) }), null],
  ['21 tags', minimal({ tags: tags(21) }), 'tags: must have at most 20 tags (got 21)'],
  ['a tag of 100 characters', minimal({ tags: [text(100)] }), null],
  ['a tag of 101 characters', minimal({ tags: ['ok', text(101)] }), 'tags[1]: must be at most 100 characters (got 101)'],
  ['a tag with a space', minimal({ tags: ['ok', 'not ok'] }), 'tags[1]: must use only lowercase letters, digits and "-"'],
  ['a company scope of 100 characters', minimal({ scope: { company: text(100) } }), null],
  ['a company scope of 101 characters', minimal({ scope: { company: text(101) } }), 'scope.company: must be at most 100 characters (got 101)'],
  ['an empty company', minimal({ scope: { company: '' } }), 'scope.company: must not be empty'],
  ['a scope that is neither', minimal({ scope: 'everyone' }), 'scope: must be "global" or {company: NAME}'],
  ['an unknown audience', minimal({ audience: 'robots' }), 'audience: must be one of human, hybrid, agentic (got "robots")'],
  ['a permission with a wildcard action', minimal({ required_permissions: ['devices:*'] }), null],
  ['a permission without an action', minimal({ required_permissions: ['devices'] }), 'required_permissions[0]: must look like resource:action (e.g. devices:execute)'],
  ['20 variables', minimal({ variables: variables(20) }), null],
  ['21 variables', minimal({ variables: variables(21) }), 'variables: must have at most 20 variables (got 21)'],
  ['a variable name of 50 characters', minimal({ variables: [{ name: text(50, 'V') }] }), null],
  ['a variable name of 51 characters', minimal({ variables: [{ name: text(51, 'V') }] }), 'variables[0].name: must be at most 50 characters (got 51)'],
  ['a variable name with a hyphen', minimal({ variables: [{ name: 'release-version' }] }), 'variables[0].name: must use only letters, digits and "_"'],
  ['a variable description of 1001 characters', minimal({ variables: [{ name: 'v', description: text(1001) }] }), 'variables[0].description: must be at most 1000 characters (got 1001)'],
  ['a variable default of 1001 characters', minimal({ variables: [{ name: 'v', default: text(1001) }] }), 'variables[0].default: must be at most 1000 characters (got 1001)'],
  ['a numeric variable default', minimal({ variables: [{ name: 'port', default: 8080 }] }), 'variables[0].default: must be a string (got number 8080)'],
  ['a repeated variable name', minimal({ variables: [{ name: 'v' }, { name: 'v' }] }), 'variables[1].name: duplicate variable "v" (also variables[0])'],
  ['no steps', minimal({ steps: [] }), 'steps: must have at least 1 step (got 0)'],
  ['one step', minimal({ steps: steps(1) }), null],
  ['100 steps', minimal({ steps: steps(100) }), null],
  ['101 steps', minimal({ steps: steps(101) }), 'steps: must have at most 100 steps (got 101)'],
  ['steps that are not a list', minimal({ steps: { label: 'x' } }), 'steps: must be a list (got an object)'],
  ['a label of 255 characters', oneStep({ label: text(255) }), null],
  ['a label of 256 characters', oneStep({ label: text(256) }), 'steps[0].label: must be at most 255 characters (got 256)'],
  ['an empty label', oneStep({ label: '' }), 'steps[0].label: must not be empty'],
  ['an instruction of 5000 characters', oneStep({ instruction: text(5000) }), null],
  ['an instruction of 5001 characters', oneStep({ instruction: text(5001) }), 'steps[0].instruction: must be at most 5000 characters (got 5001)'],
  ['an unknown step type', oneStep({ type: 'deploy' }), 'steps[0].type: must be one of action, check, branch, gate, wait, diagnose, act, verify, rollback (got "deploy")'],
  ['a ref of 100 characters', oneStep({ ref: text(100) }), null],
  ['a ref of 101 characters', oneStep({ ref: text(101) }), 'steps[0].ref: must be 1 to 100 lowercase letters, digits, "_" or "-"'],
  ['a step id in the rbs_ form', oneStep({ id: 'rbs_a1b2c3d4e5f6' }), null],
  ['a step id of the wrong length', oneStep({ id: 'rbs_001' }), 'steps[0].id: must be rbs_ followed by 12 lowercase letters or digits'],
  ['a wait of 1 second', oneStep({ type: 'wait', wait_seconds: 1 }), null],
  ['a wait of 604800 seconds', oneStep({ type: 'wait', wait_seconds: 604_800 }), null],
  ['a wait of 0 seconds', oneStep({ type: 'wait', wait_seconds: 0 }), 'steps[0].wait_seconds: must be at least 1 (got 0)'],
  ['a wait of 604801 seconds', oneStep({ type: 'wait', wait_seconds: 604_801 }), 'steps[0].wait_seconds: must be at most 604800 (got 604801)'],
  ['a wait of 1.5 seconds', oneStep({ type: 'wait', wait_seconds: 1.5 }), 'steps[0].wait_seconds: must be a whole number (got number 1.5)'],
  ['a timeout of 86400 seconds', oneStep({ timeout_seconds: 86_400 }), null],
  ['a timeout of 86401 seconds', oneStep({ timeout_seconds: 86_401 }), 'steps[0].timeout_seconds: must be at most 86400 (got 86401)'],
  ['outcome keys with digits, "_" and "-"', oneStep({ next_on_outcome: { 'pass_2-ok': null } }), null],
  ['an outcome key of 100 characters', oneStep({ next_on_outcome: { [text(100)]: null } }), null],
  ['an outcome key of 101 characters', oneStep({ next_on_outcome: { [text(101)]: null } }), `steps[0].next_on_outcome.${text(101)}: outcome must be 1 to 100 lowercase letters, digits, "_" or "-"`],
  ['an outcome key with capitals', oneStep({ next_on_outcome: { Pass: null } }), 'steps[0].next_on_outcome.Pass: outcome must be 1 to 100 lowercase letters, digits, "_" or "-"'],
  ['an outcome key with a space', oneStep({ next_on_outcome: { 'all good': null } }), 'steps[0].next_on_outcome["all good"]: outcome must be 1 to 100 lowercase letters, digits, "_" or "-"'],
  ['"__proto__" as a variable name', minimal({ variables: [{ name: '__proto__' }] }), 'variables[0].name: must not be "__proto__"'],
  ['a target without the step: prefix', oneStep({ next_default: 'deploy' }), 'steps[0].next_default: must be "step:REF" (REF: lowercase letters, digits, "_", "-"), a step id (rbs_ + 12 lowercase letters or digits) or null'],
  ['50 approvers', oneStep({ type: 'gate', approvers: approvers(50) }), null],
  ['51 approvers', oneStep({ type: 'gate', approvers: approvers(51) }), 'steps[0].approvers: must have at most 50 approvers (got 51)'],
  ['an approver that is a channel', oneStep({ type: 'gate', approvers: ['C024BE91L'] }), 'steps[0].approvers[0]: must be a Slack user id (U…, W…), a user group id (S…) or an API key (apikey:NAME)'],
  ['approvers that are a user, a group and API keys', oneStep({ type: 'gate', approvers: ['U012AB3CD', 'S0614TZR7', 'apikey:deploy-bot', `apikey:${text(63)}`] }), null],
  ['a Slack id of 31 characters', oneStep({ type: 'gate', approvers: [`U${'0'.repeat(30)}`] }), 'steps[0].approvers[0]: must be a Slack user id (U…, W…), a user group id (S…) or an API key (apikey:NAME)'],
  ['an API key name of 64 characters', oneStep({ type: 'gate', approvers: [`apikey:${text(64)}`] }), 'steps[0].approvers[0]: must be a Slack user id (U…, W…), a user group id (S…) or an API key (apikey:NAME)'],
  ['an API key name with capitals', oneStep({ type: 'gate', approvers: ['apikey:Deploy'] }), 'steps[0].approvers[0]: must be a Slack user id (U…, W…), a user group id (S…) or an API key (apikey:NAME)'],
  ['an API key name starting with "-"', oneStep({ type: 'gate', approvers: ['apikey:-bot'] }), 'steps[0].approvers[0]: must be a Slack user id (U…, W…), a user group id (S…) or an API key (apikey:NAME)'],
  ['an API key without a name', oneStep({ type: 'gate', approvers: ['apikey:'] }), 'steps[0].approvers[0]: must be a Slack user id (U…, W…), a user group id (S…) or an API key (apikey:NAME)'],
  ['a tool with capitals', oneStep({ type: 'diagnose', tool: 'Analyze' }), 'steps[0].tool: must use only lowercase letters, digits, "_", "." and "-"'],
  ['a verify metric of 201 characters', oneStep({ type: 'verify', tool: 't', verify: { metric: text(201), operator: 'lt', value: 1 } }), 'steps[0].verify.metric: must be at most 200 characters (got 201)'],
  ['an unknown verify operator', oneStep({ type: 'verify', tool: 't', verify: { metric: 'm', operator: 'le', value: 1 } }), 'steps[0].verify.operator: must be one of lt, gt, eq, ne, contains (got "le")'],
  ['a channel that is not a Slack channel id', minimal({ trigger: { channels: ['#ops'] } }), 'trigger.channels[0]: must be a Slack channel id such as C024BE91L'],
  ['an unknown severity', minimal({ trigger: { min_severity: 'urgent' } }), 'trigger.min_severity: must be one of low, medium, high, critical (got "urgent")'],
  ['a tool_input key "__proto__"', oneStep({ type: 'act', tool: 't', tool_input: JSON.parse('{"__proto__": {"polluted": true}}') }), 'steps[0].tool_input.__proto__: object keys must not be "__proto__"'],
  ['tool_input that is a list', oneStep({ type: 'act', tool: 't', tool_input: [1] }), 'steps[0].tool_input: must be an object (got a list)'],
  ['a verify without a value', oneStep({ type: 'verify', tool: 't', verify: { metric: 'm', operator: 'lt' } }), 'steps[0].verify.value: is required'],
  ['a verify value that is not finite', oneStep({ type: 'verify', tool: 't', verify: { metric: 'm', operator: 'lt', value: Number.POSITIVE_INFINITY } }), 'steps[0].verify.value: must be a finite number (got Infinity)'],
  ['a metadata value that is a function', oneStep({ metadata: { run: () => 1 } }), 'steps[0].metadata.run: must be a JSON value: null, true/false, number, string, list or object (got function)'],
  ['metadata nested 32 levels deep', oneStep({ metadata: nested(31) }), null],
  ['metadata nested 33 levels deep', oneStep({ metadata: nested(32) }), `steps[0].metadata${'.n'.repeat(32)}: must not nest deeper than 32 levels`],
];

function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 0; i < levels; i++) value = { n: value };
  return value;
}

describe('definition limits', () => {
  it.each(cases)('judges %s', (_what, definition, expected) => {
    const lines = problemsOf(definition).map((p) => `${p.path}: ${p.message}`);
    expect(lines).toEqual(expected === null ? [] : [expected]);
  });

  it('rejects a document that is not an object', () => {
    expect(problemsOf('hello')).toEqual([{ path: '(document)', message: 'must be an object (got string "hello")' }]);
  });
});

describe('free-form JSON fields', () => {
  it('keeps keys with dots and dollar signs exactly as written', () => {
    const tool_input = { 'a.b': 1, $set: { 'x.y': [{ $gt: 2 }] } };
    const metadata = { '$where': 'kept', 'dotted.key': null };
    const parsed = parseDefinition(oneStep({ type: 'diagnose', tool: 't', tool_input, metadata }));
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(parsed.source.steps[0]?.tool_input).toEqual(tool_input);
      expect(parsed.source.steps[0]?.metadata).toEqual(metadata);
    }
  });
});

import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createToolRegistry } from '../../../src/runner/tool-registry.js';
import { contextFor, createSandbox, type Sandbox } from './sandbox.js';

const ZOD = new URL('../../../node_modules/zod/index.js', import.meta.url).href;
const BUILT_INS = ['analyze_disk_usage', 'disk_cleanup', 'manage_services', 'analyze_metrics', 'http_check', 'run_command'];

describe('createToolRegistry', () => {
  let box: Sandbox;

  beforeAll(async () => {
    box = await createSandbox();
    await writeFile(
      box.path('greet.mjs'),
      `import { z } from '${ZOD}';
export default {
  name: 'greet',
  description: 'Says hello.',
  input: z.object({ who: z.string(), times: z.number().int().default(1) }),
  async run(input, ctx) {
    return { greeting: ('hello ' + input.who + ' ').repeat(input.times).trim(), device: ctx.config.device_id ?? null };
  },
};
`,
    );
    await writeFile(box.path('chatty.mjs'), `import { z } from '${ZOD}';\nexport const tool = { name: 'chatty', input: z.object({}), run: async () => ({ code: 0, text: 'x'.repeat(50000) }) };\n`);
    await writeFile(box.path('no-run.mjs'), `import { z } from '${ZOD}';\nexport default { name: 'broken', input: z.object({}) };\n`);
    await writeFile(box.path('clash.mjs'), `import { z } from '${ZOD}';\nexport default { name: 'run_command', input: z.object({}), run: async () => ({}) };\n`);
    await writeFile(box.path('nothing.mjs'), 'export const unrelated = 1;\n');
    await writeFile(box.path('syntax.mjs'), 'export default {;\n');
  });

  afterAll(() => box.remove());

  it('offers the six built-in tools', async () => {
    const ctx = contextFor({}, box.dir);
    expect((await createToolRegistry(ctx.config)).names()).toEqual(BUILT_INS);
  });

  it('refuses an unknown tool and lists the available ones', async () => {
    const ctx = contextFor({}, box.dir);
    await expect((await createToolRegistry(ctx.config)).call('format_disk', {}, ctx)).rejects.toThrow(
      `unknown tool "format_disk" (available: ${BUILT_INS.join(', ')})`,
    );
  });

  it('names each bad input field with its problem', async () => {
    const ctx = contextFor({}, box.dir);
    const call = (await createToolRegistry(ctx.config)).call('disk_cleanup', { mode: 'nuke', categories: ['temp', 'attic'], min_age_hours: 'old' }, ctx);
    await expect(call).rejects.toThrow(
      'invalid input for disk_cleanup: input.mode: expected one of preview, execute (got "nuke"); input.categories[1]: expected one of temp, package_cache, trash, browser_cache (got "attic"); input.min_age_hours: expected a number (got "old")',
    );
  });

  it('loads a custom tool module named in the config and checks its input', async () => {
    const ctx = contextFor({ device_id: 'dev-1', custom_tools: ['greet.mjs', 'chatty.mjs'] }, box.dir);
    const tools = await createToolRegistry(ctx.config);
    expect(tools.names()).toEqual([...BUILT_INS, 'greet', 'chatty']);
    expect(await tools.call('greet', { who: 'ops', times: 2 }, ctx)).toEqual({ greeting: 'hello ops hello ops', device: 'dev-1' });
    await expect(tools.call('greet', {}, ctx)).rejects.toThrow('invalid input for greet: input.who: required');
  });

  it("bounds what a tool returns by the config's output_limit_chars", async () => {
    const ctx = contextFor({ custom_tools: ['chatty.mjs'], output_limit_chars: 1000 }, box.dir);
    const out = await (await createToolRegistry(ctx.config)).call('chatty', {}, ctx);
    expect(JSON.stringify(out).length).toBeLessThanOrEqual(1000);
    expect(out).toMatchObject({ code: 0, _truncated: true });
  });

  it.each([
    ['no-run.mjs', 'run must be a function'],
    ['nothing.mjs', 'it exports no tool (a default export or an export named "tool")'],
    ['syntax.mjs', 'cannot be loaded'],
    ['missing.mjs', 'cannot be loaded'],
    ['clash.mjs', 'the name "run_command" is already taken by a built-in tool'],
  ])('refuses the custom module %s and says what is wrong with it', async (file, problem) => {
    const ctx = contextFor({ custom_tools: [file] }, box.dir);
    await expect(createToolRegistry(ctx.config)).rejects.toThrow(`custom tool ${box.path(file)}: ${problem}`);
  });
});

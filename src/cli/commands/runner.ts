// `runner [--device-id ID] [--tags a,b] [--config FILE]`: serves one device's tool calls
// until stopped (SIGTERM or SIGINT), with the device credential in RUNNER_CREDENTIAL.
// `runner enroll DEVICE_ID` makes that credential (shown once), `runner revoke DEVICE_ID`
// takes it back, `runner credentials` lists the enrolled devices.
import { resolve } from 'node:path';

import { z } from 'zod';

import { DeviceId } from '../../models/device-model.js';
import { serveRunner } from '../../runner/runner-process.js';
import { parseArgs } from '../args.js';
import { EXIT_OK, type CliCommand, type CommandContext } from '../command.js';
import { formatTable } from '../table.js';

const Tag = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'tags are lowercase letters, digits, "_" and "-"');

type RunnerArgs =
  | { action: 'serve'; 'device-id'?: string | undefined; tags?: string[] | undefined; config?: string | undefined }
  | { action: 'enroll' | 'revoke'; deviceId: string }
  | { action: 'credentials' };

const RunnerArgs = z
  .object({
    options: z.object({
      'device-id': DeviceId.optional(),
      tags: z
        .string()
        .transform((s) => s.split(',').map((t) => t.trim()).filter((t) => t !== ''))
        .pipe(z.array(Tag))
        .optional(),
      config: z.string().min(1).optional(),
    }),
    positionals: z.array(z.string()),
  })
  .transform(({ options, positionals }, ctx): RunnerArgs => {
    const complain = (message: string) => ctx.issues.push({ code: 'custom', input: positionals, message });
    const [action, id, ...rest] = positionals;
    const serving = action === undefined;
    if (!serving && Object.keys(options).length > 0) complain(`runner ${action} takes no options`);
    if (serving) return { action: 'serve', ...options };
    if (action === 'credentials') {
      if (id !== undefined) complain(`unexpected argument "${id}"`);
      return { action };
    }
    if (action !== 'enroll' && action !== 'revoke') {
      complain(`unknown subcommand "${action}" (use enroll, revoke or credentials, or no argument to serve)`);
      return z.NEVER;
    }
    if (rest.length > 0) complain(`unexpected argument "${rest[0]}"`);
    const device = DeviceId.safeParse(id ?? '');
    if (id === undefined) complain('missing DEVICE_ID');
    else if (!device.success) complain(`DEVICE_ID "${id}": ${device.error.issues[0]?.message ?? 'invalid'}`);
    return device.success ? { action, deviceId: device.data } : z.NEVER;
  });

export const runnerCommand: CliCommand = {
  name: 'runner',
  summary: "serve this machine's tool calls for one device",
  usage: 'runner [--device-id ID] [--tags a,b] [--config FILE] | runner enroll|revoke DEVICE_ID | runner credentials',
  details: [
    '--device-id ID   the device this machine is (default: the credential\'s, or device_id in the config file)',
    '--tags a,b       tags alerts and playbooks match on (or tags in the config file)',
    '--config FILE    YAML: cleanup roots, declared services, run_command allowlist, custom tools',
    'Runs until SIGTERM or SIGINT. RUNNER_CREDENTIAL holds the device credential;',
    'REDIS_URL and QUEUE_PREFIX must match the bot; the runner opens no database.',
    'enroll DEVICE_ID   make the device a credential, printed once (replaces an earlier one)',
    'revoke DEVICE_ID   take it back: the bot refuses that device\'s results from then on',
    'credentials        list the enrolled devices',
  ],
  async run(argv, ctx) {
    const args = parseArgs(argv, { values: ['device-id', 'tags', 'config'] }, RunnerArgs);
    if (args.action !== 'serve') return manageCredentials(args, ctx);
    const stop = new Promise((done) => {
      process.once('SIGTERM', done);
      process.once('SIGINT', done);
    });
    await serveRunner(
      {
        ...(args['device-id'] ? { deviceId: args['device-id'] } : {}),
        ...(args.tags ? { tags: args.tags } : {}),
        ...(args.config ? { configPath: resolve(ctx.io.cwd, args.config) } : {}),
      },
      ctx.io.env,
      stop,
    );
    return EXIT_OK;
  },
};

async function manageCredentials(args: Exclude<RunnerArgs, { action: 'serve' }>, ctx: CommandContext): Promise<number> {
  const credentials = await ctx.deviceCredentials();
  const who = ctx.who();
  if (args.action === 'enroll') {
    const { credential, replaced } = await credentials.enroll(who, args.deviceId);
    // The credential goes to stdout alone, so `RUNNER_CREDENTIAL=$(runbook-bot runner enroll X)` works.
    ctx.io.stdout(credential);
    ctx.io.stderr(`enrolled device ${args.deviceId}${replaced ? ' (its earlier credential no longer works)' : ''}: give the line above to its runner as RUNNER_CREDENTIAL; it is not shown again`);
  } else if (args.action === 'revoke') {
    await credentials.revoke(who, args.deviceId);
    ctx.io.stdout(`revoked the credential of device ${args.deviceId}: its results are refused from now on`);
  } else {
    const enrolled = await credentials.list(who);
    if (enrolled.length === 0) ctx.io.stdout('no devices enrolled');
    else for (const line of formatTable(['DEVICE', 'ENROLLED AT', 'BY'], enrolled.map((d) => [d.device_id, d.created_at.toISOString(), `${d.created_by.kind}:${d.created_by.id}`]))) ctx.io.stdout(line);
  }
  return EXIT_OK;
}

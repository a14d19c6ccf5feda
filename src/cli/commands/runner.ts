// `runner [--device-id ID] [--tags a,b] [--config FILE]`: serves one device's tool calls
// until stopped (SIGTERM or SIGINT).
import { resolve } from 'node:path';

import { z } from 'zod';

import { DeviceId } from '../../models/device-model.js';
import { serveRunner } from '../../runner/runner-process.js';
import { parseArgs } from '../args.js';
import { EXIT_OK, type CliCommand } from '../command.js';

const Tag = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'tags are lowercase letters, digits, "_" and "-"');

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
    positionals: z.array(z.string()).max(0, 'takes no arguments'),
  })
  .transform(({ options }) => options);

export const runnerCommand: CliCommand = {
  name: 'runner',
  summary: "serve this machine's tool calls for one device",
  usage: 'runner [--device-id ID] [--tags a,b] [--config FILE]',
  details: [
    '--device-id ID   the device this machine is (or device_id in the config file)',
    '--tags a,b       tags alerts and playbooks match on (or tags in the config file)',
    '--config FILE    YAML: cleanup roots, declared services, run_command allowlist, custom tools',
    'Runs until SIGTERM or SIGINT. MONGODB_URI, REDIS_URL and QUEUE_PREFIX must match the bot.',
  ],
  async run(argv, ctx) {
    const args = parseArgs(argv, { values: ['device-id', 'tags', 'config'] }, RunnerArgs);
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

#!/usr/bin/env node
// The runbook-bot CLI. tsx compiles the TypeScript sources as they load, so the command
// runs from a checkout without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv);
// Exit explicitly so a lingering handle cannot keep the process alive, but only after
// stdout has drained, so piped output (export > file) is never cut short.
process.stdout.write('', () => process.exit(code));

// manage_services: status, start, stop or restart one service. A service declared in the
// runner config is run by the runner itself; a systemd unit the config lists goes to
// systemd, and any unit's status may be read there.
import { z } from 'zod';

import { createKeyedMutex } from '../../keyed-mutex.js';
import type { ServiceConfig } from '../runner-config.js';
import { runnerServiceStatus, startRunnerService, stopRunnerService, type ServiceState } from './runner-services.js';
import { systemdAction, systemdServiceStatus } from './systemd-services.js';
import { ToolError, type Tool, type ToolContext } from './types.js';

const Input = z.object({
  // No leading "-": the name is passed to systemctl as an argument.
  service: z
    .string()
    .max(256)
    .regex(/^[A-Za-z0-9][A-Za-z0-9@._:-]*$/, { error: 'must be a service name (letters, digits and @._:-)' }),
  action: z.enum(['status', 'start', 'stop', 'restart']),
});
type Input = z.output<typeof Input>;

// Two calls for one service (a start racing a stop) would spawn twice or kill the new one.
const perService = createKeyedMutex();

async function runnerAction(input: Input, svc: ServiceConfig): Promise<ServiceState> {
  switch (input.action) {
    case 'status':
      return runnerServiceStatus(svc);
    case 'start':
      return startRunnerService(input.service, svc);
    case 'stop':
      return stopRunnerService(input.service, svc);
    case 'restart':
      await stopRunnerService(input.service, svc);
      return startRunnerService(input.service, svc);
  }
}

const listed = (names: readonly string[]) => (names.length > 0 ? names.join(', ') : 'none');

function declaredList(ctx: ToolContext): string {
  const names = Object.keys(ctx.config.services);
  return names.length > 0 ? ` (it declares ${names.join(', ')})` : '';
}

export const manageServicesTool: Tool<Input> = {
  name: 'manage_services',
  description: 'Status, start, stop or restart a service (declared in the runner config, else a systemd unit).',
  input: Input,
  async run(input, ctx) {
    const declared = Object.hasOwn(ctx.config.services, input.service) ? ctx.config.services[input.service] : undefined;
    if (declared !== undefined) {
      const state = await perService.run(`runner:${input.service}`, () => runnerAction(input, declared));
      return { service: input.service, ...state, action: input.action, manager: 'runner' };
    }
    // Changing a unit is opt-in per runner; reading its status is not.
    if (input.action !== 'status' && !ctx.config.systemd_units.includes(input.service)) {
      throw new ToolError(
        `this runner may not ${input.action} "${input.service}": the runner config neither declares it under services ` +
          `(declared: ${listed(Object.keys(ctx.config.services))}) nor lists it in systemd_units (listed: ${listed(ctx.config.systemd_units)})`,
      );
    }
    if (!(await ctx.machine.systemd())) {
      throw new ToolError(`unknown service "${input.service}": not declared in the runner config${declaredList(ctx)} and systemd is not available here`);
    }
    const state = await perService.run(`systemd:${input.service}`, async () => {
      if (input.action !== 'status') {
        await systemdServiceStatus(input.service, ctx.signal); // an unknown unit is refused before acting
        await systemdAction(input.service, input.action, ctx.signal);
      }
      return systemdServiceStatus(input.service, ctx.signal);
    });
    return { service: input.service, ...state, action: input.action, manager: 'systemd' };
  },
};

// Devices as people and agents look at them: what a runner registered (status, tags, tools)
// and the runs that ran there. Runners register and beat through the device store itself.
import type { Device, DeviceStore } from '../models/device-store.js';
import type { RunSummary } from '../models/run-store.js';
import type { Access } from './access.js';
import type { Principal } from './principal.js';
import type { RunService } from './run-service.js';

export type Devices = ReturnType<typeof createDevices>;

export function createDevices(deps: { devices: Pick<DeviceStore, 'get' | 'list'>; runs: Pick<RunService, 'list'>; access: Pick<Access, 'require'> }) {
  return {
    /** A device (null when no runner registered it) and its most recent runs. */
    async describe(who: Principal, id: string, recent = 10): Promise<{ device: Device | null; runs: RunSummary[] }> {
      await deps.access.require(who, 'read');
      const [device, runs] = await Promise.all([deps.devices.get(id), deps.runs.list({ deviceId: id, limit: recent })]);
      return { device, runs };
    },

    async list(who: Principal, filter: { tag?: string } = {}): Promise<Device[]> {
      await deps.access.require(who, 'read');
      return deps.devices.list(filter);
    },
  };
}

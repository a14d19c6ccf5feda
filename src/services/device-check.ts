import { runsTools, type RunbookSnapshot } from '../engine/index.js';
import { AppError, ErrorCode } from '../errors.js';
import type { DeviceStore } from '../models/device-store.js';

/**
 * A runbook that runs tools needs a device whose runner is online: refused here, at start,
 * rather than as a timeout several minutes into the run. `device` is the run's (resolveDevice).
 */
export async function requireDevice(runbook: RunbookSnapshot, device: string | null, devices: Pick<DeviceStore, 'get'>): Promise<void> {
  if (!runsTools(runbook)) return;
  if (device === null) {
    throw new AppError(ErrorCode.Validation, `“${runbook.name}” runs tools on a device: say which one with its id (deviceId; device=ID in Slack)`, {
      details: { device_status: 'missing' },
    });
  }
  await requireOnlineDevice(device, devices);
}

/**
 * The device exists and its runner is online; otherwise an error that says which and why.
 * `details.device_status` (`unknown`, `offline`) lets a surface answer in its own terms.
 */
export async function requireOnlineDevice(id: string, devices: Pick<DeviceStore, 'get'>): Promise<void> {
  if (id === '') throw new AppError(ErrorCode.Validation, 'the run names no device', { details: { device_status: 'missing' } });
  const device = await devices.get(id);
  if (!device) {
    throw new AppError(ErrorCode.NotFound, `device ${id} is not known: no runner has registered it (start one there with \`runbook-bot runner --device-id ${id}\`)`, {
      details: { device_id: id, device_status: 'unknown' },
    });
  }
  if (device.status === 'offline') {
    const seen = new Date(device.stopped_at ?? device.last_seen).toISOString().replace(/\.\d+Z$/, 'Z');
    const why = device.stopped_at !== null ? `its runner stopped at ${seen}` : `its runner was last seen at ${seen}`;
    throw new AppError(ErrorCode.Conflict, `device ${id} is offline: ${why}`, { details: { device_id: id, device_status: 'offline' } });
  }
}

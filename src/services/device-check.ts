import { runsTools, type RunbookSnapshot } from '../engine/index.js';
import { AppError, ErrorCode } from '../errors.js';
import type { DeviceStore } from '../models/device-store.js';

/**
 * A runbook that runs tools needs a device whose runner is online: refused here, at start,
 * rather than as a timeout several minutes into the run.
 */
export async function requireDevice(runbook: RunbookSnapshot, variables: Record<string, string>, devices: Pick<DeviceStore, 'get'>): Promise<void> {
  if (!runsTools(runbook)) return;
  const given = variables.deviceId?.trim();
  const id = given ? given : (runbook.variables.find((v) => v.name === 'deviceId')?.default ?? '').trim();
  if (id === '') {
    throw new AppError(ErrorCode.Validation, `“${runbook.name}” runs tools on a device: give its id as the deviceId variable (device=ID in Slack)`);
  }
  await requireOnlineDevice(id, devices);
}

/** The device exists and its runner is online; otherwise an error that says which and why. */
export async function requireOnlineDevice(id: string, devices: Pick<DeviceStore, 'get'>): Promise<void> {
  if (id === '') throw new AppError(ErrorCode.Validation, 'the run names no device: it has no deviceId variable');
  const device = await devices.get(id);
  if (!device) {
    throw new AppError(ErrorCode.NotFound, `device ${id} is not known: no runner has registered it (start one there with \`runbook-bot runner --device-id ${id}\`)`);
  }
  if (device.status === 'offline') {
    const seen = new Date(device.stopped_at ?? device.last_seen).toISOString().replace(/\.\d+Z$/, 'Z');
    const why = device.stopped_at !== null ? `its runner stopped at ${seen}` : `its runner was last seen at ${seen}`;
    throw new AppError(ErrorCode.Conflict, `device ${id} is offline: ${why}`);
  }
}

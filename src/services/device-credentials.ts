// Device credentials as admins manage them (the CLI): enroll, revoke, list.
import type { DeviceCredentialStore, EnrolledDevice } from '../models/device-credential-store.js';
import type { Access } from './access.js';
import type { Principal } from './principal.js';

export type DeviceCredentials = ReturnType<typeof createDeviceCredentials>;

export function createDeviceCredentials(deps: { store: Pick<DeviceCredentialStore, 'enroll' | 'revoke' | 'list'>; access: Pick<Access, 'require'> }) {
  return {
    async enroll(who: Principal, deviceId: string): Promise<{ credential: string; replaced: boolean }> {
      await deps.access.require(who, 'admin');
      return deps.store.enroll(deviceId, who.actor);
    },
    async revoke(who: Principal, deviceId: string): Promise<void> {
      await deps.access.require(who, 'admin');
      await deps.store.revoke(deviceId);
    },
    async list(who: Principal): Promise<EnrolledDevice[]> {
      await deps.access.require(who, 'admin');
      return deps.store.list();
    },
  };
}

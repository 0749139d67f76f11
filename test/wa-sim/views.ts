import type { Account, LinkedDevice } from './model/account';
import type { SimGroup } from './model/group';
import type { SimUser } from './model/sim-user';

/** Plain-data views of the simulator's model, returned by the API (JSON-friendly). */

export interface ContactInfo {
  /** Phone number, digits only. */
  pn: string;
  /** `pn@s.whatsapp.net` */
  jid: string;
  /** `digits@lid` */
  lid: string;
  name: string;
}

export interface ParticipantInfo extends ContactInfo {
  admin: 'superadmin' | 'admin' | null;
}

export interface GroupInfo {
  /** `digits@g.us` */
  id: string;
  subject: string;
  description?: string;
  owner: string;
  /** The account's own role in the group. */
  accountRole: 'superadmin' | 'admin' | null;
  participants: ParticipantInfo[];
}

export interface DeviceInfo {
  id: number;
  jid: string;
  lid: string;
  platform: string;
  online: boolean;
  /** Messages sent to its connection that it has not acknowledged yet. */
  unacked: number;
  /** Stanzas waiting for its next login (offline queue, unacknowledged ones first). */
  queued: number;
}

export interface AccountInfo {
  phone: string;
  jid: string;
  lid: string;
  name: string;
  platform: string;
  connected: boolean;
  devices: DeviceInfo[];
  contacts: number;
  groups: number;
  received: number;
}

/** What a scan or an entered pairing code returns. */
export interface LinkInfo {
  phone: string;
  jid: string;
  lid: string;
  name: string;
  /** The new companion device: `phone:device@s.whatsapp.net`. */
  deviceJid: string;
  contacts: ContactInfo[];
  groups: GroupInfo[];
}

export const contactInfo = (user: SimUser): ContactInfo => ({
  pn: user.pn,
  jid: user.jid,
  lid: user.lidJid,
  name: user.name,
});

export const groupInfo = (group: SimGroup, account: Account): GroupInfo => ({
  id: group.id,
  subject: group.subject,
  description: group.description,
  owner: group.owner.jid,
  accountRole: group.roleOf(account.user) ?? null,
  participants: group.participants.map(({ user, role }) => ({ ...contactInfo(user), admin: role })),
});

export const deviceInfo = (device: LinkedDevice): DeviceInfo => ({
  id: device.id,
  jid: device.jid,
  lid: device.lidJid,
  platform: device.platform,
  online: device.online,
  unacked: device.unacked.size,
  queued: device.offlineQueue.length,
});

export const accountInfo = (account: Account): AccountInfo => ({
  phone: account.phone,
  jid: account.jid,
  lid: account.lidJid,
  name: account.name,
  platform: account.platform,
  connected: account.onlineDevices.length > 0,
  devices: [...account.devices.values()].map(deviceInfo),
  contacts: account.contacts.length,
  groups: account.groups.length,
  received: account.received.length,
});

export const linkInfo = (account: Account, device: LinkedDevice): LinkInfo => ({
  phone: account.phone,
  jid: account.jid,
  lid: account.lidJid,
  name: account.name,
  deviceJid: device.jid,
  contacts: account.contacts.map(contactInfo),
  groups: account.groups.map((group) => groupInfo(group, account)),
});

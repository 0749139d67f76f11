import type { BinaryNode } from '@whiskeysockets/baileys';
import type { Account, LinkedDevice } from '../model/account';
import type { SimContext } from './context';

const PREKEY_UPLOAD_WAIT_MS = 10_000;

/**
 * Sends a stanza, built per device (encryption is per device), to every linked device of an
 * account: at once when the device is online, otherwise queued for its next login (WhatsApp's
 * offline delivery). Returns how many devices got it at once.
 */
export async function deliverToDevices(
  sim: SimContext,
  account: Account,
  build: (device: LinkedDevice) => Promise<BinaryNode>,
): Promise<number> {
  let online = 0;
  for (const device of [...account.devices.values()]) {
    if (device.online && !device.hasUploadedPreKeys) {
      // the device has just logged in for the first time: its one-time prekeys are on their way
      await device.preKeysUploaded(PREKEY_UPLOAD_WAIT_MS);
    }
    const stanza = await build(device);
    if (device.online) {
      device.connection!.send(stanza);
      online++;
    } else if (account.devices.get(device.id) === device) {
      device.offlineQueue.push(stanza);
      sim.logger.debug(
        { phone: account.phone, device: device.id },
        'device offline: stanza queued',
      );
    }
  }
  return online;
}

/** Sends a stanza to the devices online now (presence, typing, receipts: nothing is queued). */
export function sendToOnlineDevices(account: Account, stanza: BinaryNode): number {
  const devices = account.onlineDevices;
  for (const device of devices) {
    device.connection!.send(stanza);
  }
  return devices.length;
}

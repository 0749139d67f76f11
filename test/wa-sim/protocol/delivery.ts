import type { BinaryNode } from '@whiskeysockets/baileys';
import type { Account, LinkedDevice } from '../model/account';
import type { ClientConnection } from '../transport/client-connection';
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
      sendTracked(device, device.connection!, stanza);
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

/**
 * Sends a stanza to a device's connection; a `<message>` stays pending (`device.unacked`) until
 * the client acknowledges it. `sent` is the stanza as written on the wire (with `offline` at
 * login); `stanza` is kept, to be queued again if the connection ends first.
 */
export function sendTracked(
  device: LinkedDevice,
  connection: ClientConnection,
  stanza: BinaryNode,
  sent: BinaryNode = stanza,
): void {
  const id = stanza.attrs.id;
  if (stanza.tag === 'message' && id) {
    device.unacked.delete(id); // a resend goes to the end, in the order it was sent
    device.unacked.set(id, { stanza, connection });
  }
  connection.send(sent);
}

/**
 * The client acknowledged these messages: a receipt (delivered, inactive, read…) or an
 * `<ack class="message">`, with or without an error (a nack is final too: WhatsApp does not
 * redeliver it; the sender answers a retry receipt instead). Matched by message id: the ids the
 * simulator makes are unique.
 */
export function acknowledge(device: LinkedDevice, ids: string[]): void {
  for (const id of ids) {
    device.unacked.delete(id);
  }
}

/**
 * A connection ended (closed, dropped, idle, or replaced by a new login) with messages it never
 * acknowledged: they go back, in the order they were sent, to the front of the device's offline
 * queue and are delivered (marked `offline`) at its next login. Returns their ids.
 */
export function requeueUnacked(
  sim: SimContext,
  device: LinkedDevice,
  connection: ClientConnection,
): string[] {
  const pending = [...device.unacked].filter(([, entry]) => entry.connection === connection);
  if (pending.length === 0) {
    return [];
  }
  const ids = pending.map(([id]) => id);
  ids.forEach((id) => device.unacked.delete(id));
  if (device.account.devices.get(device.id) !== device) {
    return []; // unlinked meanwhile: nothing is delivered to it any more
  }
  const stanzas = pending.map(([, entry]) => entry.stanza);
  if (device.ready && device.connection !== connection) {
    // another connection of the device is already through its login: deliver them there now
    stanzas.forEach((stanza) => sendTracked(device, device.connection!, stanza));
  } else {
    device.offlineQueue.unshift(...stanzas);
  }
  sim.logger.debug(
    { phone: device.account.phone, device: device.id, ids },
    'connection ended with unacknowledged messages: queued for the next login',
  );
  sim.events.emit('requeued', {
    phone: device.account.phone,
    device: device.id,
    connectionId: connection.id,
    ids,
  });
  return ids;
}

/** Sends a stanza to the devices online now (presence, typing, receipts: nothing is queued). */
export function sendToOnlineDevices(account: Account, stanza: BinaryNode): number {
  const devices = account.onlineDevices;
  for (const device of devices) {
    device.connection!.send(stanza);
  }
  return devices.length;
}

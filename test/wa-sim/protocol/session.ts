import type { BinaryNode } from '@whiskeysockets/baileys';
import type { LinkedDevice } from '../model/account';
import type { ClientConnection } from '../transport/client-connection';
import type { HandshakeResult } from '../transport/noise-responder';
import { node, nowSeconds } from './binary-nodes';
import type { SimContext } from './context';
import { requeueUnacked, sendTracked } from './delivery';
import { sendInitialSync } from './history-sync';
import type { PairingService } from './pairing/pairing-service';

const loginCounts = new WeakMap<LinkedDevice, number>();

const uint = (bytes: Uint8Array | null | undefined): number =>
  bytes && bytes.length > 0 ? Buffer.from(bytes).readUIntBE(0, Math.min(bytes.length, 6)) : 0;

/**
 * After the Noise handshake: a payload with `devicePairingData` registers a new device (QR refs
 * follow); otherwise it is a login of `username:device`, accepted only for a linked device whose
 * noise key matches, refused with `<failure reason="401">` otherwise.
 */
export function onHandshake(
  sim: SimContext,
  pairing: PairingService,
  connection: ClientConnection,
  { payload, clientStaticKey }: HandshakeResult,
): void {
  const pairingData = payload.devicePairingData;
  if (pairingData) {
    if (!pairingData.eIdent || !pairingData.eSkeyVal || !pairingData.eSkeySig) {
      connection.terminate('protocol-error');
      return;
    }
    pairing.startRegistration(connection, {
      identityKey: Buffer.from(pairingData.eIdent),
      registrationId: uint(pairingData.eRegid),
      signedPreKey: {
        keyId: uint(pairingData.eSkeyId),
        publicKey: Buffer.from(pairingData.eSkeyVal),
        signature: Buffer.from(pairingData.eSkeySig),
      },
    });
    return;
  }
  const phone = String(payload.username ?? '');
  const deviceId = payload.device ?? 0;
  connection.session = { phone, device: deviceId };
  const account = sim.directory.account(phone);
  const device = account?.devices.get(deviceId);
  if (!account || !device || !device.noiseKey.equals(clientStaticKey)) {
    sim.logger.info({ phone, device: deviceId }, 'login of an unknown device refused (401)');
    connection.failure(401);
    sim.events.emit('login-refused', {
      phone,
      device: deviceId,
      connectionId: connection.id,
      reason: 401,
    });
    return;
  }
  if (account.refuseUntil > Date.now()) {
    sim.logger.info({ phone, device: deviceId }, 'account refuses connections: dropped');
    connection.terminate('refused');
    return;
  }
  const previous = device.connection;
  if (previous && previous !== connection) {
    if (previous.isOpen) {
      previous.streamError(undefined, node('conflict', { type: 'replaced' }));
    }
    // what the replaced connection did not acknowledge goes to the new one (a late receipt on
    // the old connection is not read: the message is then delivered twice, as on WhatsApp)
    requeueUnacked(sim, device, previous);
  }
  device.connection = connection;
  device.loggedIn = true;
  const logins = (loginCounts.get(device) ?? 0) + 1;
  loginCounts.set(device, logins);
  connection.send(
    node('success', {
      t: String(nowSeconds()),
      props: '1',
      abprops: '1',
      location: 'sim',
      creation: String(nowSeconds() - 86_400),
      lid: device.lidJid,
    }),
  );
  sim.logger.debug({ phone, device: deviceId }, 'device logged in');
  sim.events.emit('login', {
    phone,
    device: deviceId,
    deviceJid: device.jid,
    connectionId: connection.id,
    firstLogin: logins === 1,
  });
}

/**
 * The client's login sequence reached `passive active` (prekeys counted and uploaded): deliver
 * what waited while it was offline, mark the end of offline delivery, and on the first login send
 * the history sync.
 */
export async function finishLogin(
  sim: SimContext,
  device: LinkedDevice,
  connection: ClientConnection,
): Promise<void> {
  if (device.readyConnection === connection || device.connection !== connection) {
    return;
  }
  device.readyConnection = connection;
  const queued: BinaryNode[] = device.offlineQueue.splice(0);
  for (const stanza of queued) {
    sendTracked(device, connection, stanza, {
      ...stanza,
      attrs: { ...stanza.attrs, offline: '1' },
    });
  }
  connection.send(node('ib', {}, [node('offline', { count: String(queued.length) })]));
  if (device.account.historySync && !device.historySent) {
    device.historySent = true;
    await sendInitialSync(sim, device);
  }
  sim.events.emit('ready', {
    phone: device.account.phone,
    device: device.id,
    deviceJid: device.jid,
  });
}

/** Kicks a device's connection with a stream error that Baileys maps to `code`. */
export function kickDevice(sim: SimContext, device: LinkedDevice, code: number): boolean {
  const connection = device.connection;
  if (code === 401) {
    unlinkDevice(sim, device, 'server');
  }
  if (!connection?.isOpen) {
    return false;
  }
  switch (code) {
    case 440:
      connection.streamError(undefined, node('conflict', { type: 'replaced' }));
      break;
    case 401:
      connection.streamError(401, node('conflict', { type: 'device_removed' }));
      break;
    default:
      connection.streamError(code);
  }
  return true;
}

/** Forgets a device: its credentials no longer log in (`failure 401`). */
export function unlinkDevice(sim: SimContext, device: LinkedDevice, by: 'client' | 'server'): void {
  const account = device.account;
  if (account.devices.get(device.id) !== device) {
    return;
  }
  account.devices.delete(device.id);
  device.loggedIn = false;
  device.offlineQueue.length = 0;
  device.unacked.clear();
  sim.logger.info({ phone: account.phone, device: device.id, by }, 'device unlinked');
  sim.events.emit('unlinked', { phone: account.phone, device: device.id, by });
}

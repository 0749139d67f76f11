import { randomInt } from 'node:crypto';
import {
  Curve,
  hmacSign,
  proto,
  WA_ADV_ACCOUNT_SIG_PREFIX,
  WA_ADV_DEVICE_SIG_PREFIX,
} from '@whiskeysockets/baileys';
import { LinkedDevice, type Account, type SignedPreKey } from '../../model/account';
import type { ClientConnection } from '../../transport/client-connection';
import { child, contentBytes, node, nowSeconds, SERVER_JID } from '../binary-nodes';
import type { SimContext } from '../context';

/** What a registering client announced in its ClientFinish payload. */
export interface Registration {
  identityKey: Buffer;
  registrationId: number;
  signedPreKey: SignedPreKey;
}

export interface LinkResult {
  account: Account;
  device: LinkedDevice;
}

/** A pairing that cannot proceed; `status` is the HTTP status the control API answers with. */
export class PairingError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'PairingError';
  }
}

/**
 * The phone's side of linking, once it trusts the client (QR scanned or code entered): a device
 * identity signed with the account key (`[6,0] ‖ details ‖ client identity`), wrapped in an HMAC
 * keyed by the ADV secret, sent in pair-success; the client answers with its own signature
 * (`[6,1] ‖ details ‖ client identity ‖ account key`), checked here. Ends with the 515 restart.
 */
export async function linkDevice(
  sim: SimContext,
  connection: ClientConnection,
  registration: Registration,
  account: Account,
  advSecret: Buffer,
  method: 'qr' | 'code',
  platform: string,
): Promise<LinkResult> {
  const { id, keyIndex } = account.allocateDevice();
  const accountKey = account.user.signal.identityKey;
  const details = Buffer.from(
    proto.ADVDeviceIdentity.encode({
      rawId: randomInt(2 ** 31),
      timestamp: nowSeconds(),
      keyIndex,
    }).finish(),
  );
  const accountSignature = Curve.sign(
    accountKey.private,
    Buffer.concat([WA_ADV_ACCOUNT_SIG_PREFIX, details, registration.identityKey]),
  );
  const signedIdentity = Buffer.from(
    proto.ADVSignedDeviceIdentity.encode({
      details,
      accountSignatureKey: accountKey.public,
      accountSignature,
    }).finish(),
  );
  const container = proto.ADVSignedDeviceIdentityHMAC.encode({
    details: signedIdentity,
    hmac: hmacSign(signedIdentity, advSecret),
  }).finish();
  const reply = await connection.query(
    node('iq', { type: 'set', xmlns: 'md', from: SERVER_JID, t: String(nowSeconds()) }, [
      node('pair-success', {}, [
        node('device-identity', { 'key-index': String(keyIndex) }, container),
        node('platform', { name: platform }),
        node('device', {
          jid: `${account.phone}:${id}@s.whatsapp.net`,
          lid: `${account.user.lid}:${id}@lid`,
        }),
      ]),
    ]),
  );
  const signed = contentBytes(child(child(reply, 'pair-device-sign'), 'device-identity'));
  if (reply.attrs.type !== 'result' || !signed) {
    throw new PairingError(502, 'client rejected pair-success');
  }
  const { deviceSignature } = proto.ADVSignedDeviceIdentity.decode(signed);
  const deviceMessage = Buffer.concat([
    WA_ADV_DEVICE_SIG_PREFIX,
    details,
    registration.identityKey,
    accountKey.public,
  ]);
  if (!deviceSignature || !Curve.verify(registration.identityKey, deviceMessage, deviceSignature)) {
    throw new PairingError(502, 'client device signature is invalid');
  }
  const device = new LinkedDevice(
    account,
    id,
    keyIndex,
    connection.clientStaticKey!,
    registration.identityKey,
    registration.registrationId,
    registration.signedPreKey,
    platform,
  );
  account.devices.set(id, device);
  sim.events.emit('paired', { phone: account.phone, device: id, deviceJid: device.jid, method });
  connection.streamError(515);
  return { account, device };
}

import { jidDecode, type BinaryNode } from '@whiskeysockets/baileys';
import type { PreKeyBundle } from '../../signal/signal-party';
import { child, children, contentBytes, contentUInt, node, uintBytes } from '../binary-nodes';
import type { SimContext } from '../context';
import type { IqHandler } from './iq-request';

const KEY_BUNDLE_TYPE = Buffer.from([5]);

/** `xmlns="encrypt"`: prekey count, prekey upload, bundle fetch, digest, signed prekey rotation. */
export const handleEncryptIq: IqHandler = async ({ sim, device, iq, first, respond }) => {
  if (child(iq, 'list') && child(iq, 'skey')) {
    if (!device) {
      return false;
    }
    const keys = children(child(iq, 'list'), 'key').flatMap((key) => {
      const keyId = contentUInt(child(key, 'id'));
      const publicKey = contentBytes(child(key, 'value'));
      return keyId !== undefined && publicKey ? [{ keyId, publicKey }] : [];
    });
    const signed = parseSignedPreKey(child(iq, 'skey'));
    if (signed) {
      device.signedPreKey = signed;
    }
    device.storePreKeys(keys);
    sim.logger.debug(
      { phone: device.account.phone, device: device.id, count: keys.length },
      'prekeys uploaded',
    );
    respond();
    return true;
  }
  switch (first?.tag) {
    case 'count':
      respond([node('count', { value: String(device?.preKeyCount ?? 0) })]);
      return true;
    case 'digest':
      respond([node('digest', {}, [node('type', {}, KEY_BUNDLE_TYPE)])]);
      return true;
    case 'rotate': {
      const signed = parseSignedPreKey(child(first, 'skey'));
      if (device && signed) {
        device.signedPreKey = signed;
      }
      respond();
      return true;
    }
    case 'key': {
      const users = await Promise.all(
        children(first, 'user').map((user) => bundleNode(sim, user.attrs.jid ?? '')),
      );
      respond([node('list', {}, users)]);
      return true;
    }
    default:
      return false;
  }
};

function parseSignedPreKey(skey: BinaryNode | undefined) {
  const keyId = contentUInt(child(skey, 'id'));
  const publicKey = contentBytes(child(skey, 'value'));
  const signature = contentBytes(child(skey, 'signature'));
  return keyId !== undefined && publicKey && signature
    ? { keyId, publicKey, signature }
    : undefined;
}

/** The prekey bundle of one device: a simulated phone (device 0) or a linked companion. */
async function bundleNode(sim: SimContext, jid: string): Promise<BinaryNode> {
  const user = sim.directory.userByJid(jid);
  const deviceId = jidDecode(jid)?.device ?? 0;
  let bundle: PreKeyBundle | undefined;
  if (user && deviceId === 0) {
    bundle = await user.signal.createBundle();
  } else if (user?.account) {
    bundle = user.account.devices.get(deviceId)?.takeBundle();
  }
  if (!bundle) {
    return node('user', { jid }, [node('error', { code: '404', text: 'item-not-found' })]);
  }
  return node('user', { jid }, [
    node('registration', {}, uintBytes(bundle.registrationId, 4)),
    node('type', {}, KEY_BUNDLE_TYPE),
    node('identity', {}, Buffer.from(bundle.identityKey)),
    node('skey', {}, [
      node('id', {}, uintBytes(bundle.signedPreKey.keyId, 3)),
      node('value', {}, Buffer.from(bundle.signedPreKey.publicKey)),
      node('signature', {}, Buffer.from(bundle.signedPreKey.signature)),
    ]),
    ...(bundle.preKey
      ? [
          node('key', {}, [
            node('id', {}, uintBytes(bundle.preKey.keyId, 3)),
            node('value', {}, Buffer.from(bundle.preKey.publicKey)),
          ]),
        ]
      : []),
  ]);
}

import { Curve, proto, type BinaryNode } from '@whiskeysockets/baileys';
import type { SimUser } from '../../model/sim-user';
import { allChildren, child, children, contentString, node, nowSeconds } from '../binary-nodes';
import type { IqHandler } from './iq-request';

/**
 * `xmlns="usync"`: the user directory behind onWhatsApp (contact), device lists (devices), LIDs
 * (lid), about texts (status) and disappearing mode. A number is "on WhatsApp" when the simulator
 * knows it (an account, a contact or a group member).
 */
export const handleUsyncIq: IqHandler = ({ sim, first, respond }) => {
  if (first?.tag !== 'usync') {
    return false;
  }
  const protocols = allChildren(child(first, 'query')).map((protocol) => protocol.tag);
  const context = first.attrs.context;
  const users = children(child(first, 'list'), 'user').map((requested) => {
    let jid = requested.attrs.jid;
    let user: SimUser | undefined;
    if (jid) {
      user = sim.directory.userByJid(jid);
    } else {
      const digits = (contentString(child(requested, 'contact')) ?? '').replace(/[^0-9]/g, '');
      jid = `${digits}@s.whatsapp.net`;
      user = sim.directory.userByPn(digits);
    }
    const byLid = jid.endsWith('@lid');
    const results = protocols.flatMap((protocol): BinaryNode[] => {
      switch (protocol) {
        case 'contact':
          return [node('contact', { type: user ? 'in' : 'out' })];
        case 'devices':
          return [devicesNode(user)];
        case 'lid':
          // Not for device lookups before a send (context "message"): Baileys then forces a new
          // Signal session with every user that has a LID, replacing sessions that work (and
          // libsignal logs each replacement). It learns LIDs from history sync, message
          // envelopes and its own background LID lookups, which are answered.
          return user && !byLid && context !== 'message' ? [node('lid', { val: user.lidJid })] : [];
        case 'status':
          return user
            ? [node('status', { t: String(nowSeconds() - 86_400) }, `Hi, I am ${user.name}`)]
            : [];
        case 'disappearing_mode':
          return [node('disappearing_mode', { duration: '0', t: '0' })];
        default:
          return [];
      }
    });
    return node('user', { jid }, results);
  });
  respond([
    node(
      'usync',
      {
        sid: first.attrs.sid,
        index: '0',
        last: 'true',
        mode: first.attrs.mode,
        context: first.attrs.context,
      },
      [
        node(
          'result',
          {},
          protocols.map((protocol) => node(protocol)),
        ),
        node('list', {}, users),
      ],
    ),
  ]);
  return true;
};

function devicesNode(user: SimUser | undefined): BinaryNode {
  if (!user) {
    return node('devices', {}, [node('device-list')]);
  }
  const linked = user.account ? [...user.account.devices.values()] : [];
  const deviceList = node('device-list', {}, [
    node('device', { id: '0' }),
    ...linked.map((device) =>
      node('device', { id: String(device.id), 'key-index': String(device.keyIndex) }),
    ),
  ]);
  if (!user.account || linked.length === 0) {
    return node('devices', {}, [deviceList]);
  }
  const timestamp = nowSeconds();
  const details = proto.ADVKeyIndexList.encode({
    rawId: 1,
    timestamp,
    currentIndex: user.account.currentKeyIndex,
    validIndexes: user.account.validKeyIndexes,
  }).finish();
  const signed = proto.ADVSignedKeyIndexList.encode({
    details,
    accountSignature: Curve.sign(user.signal.identityKey.private, details),
  }).finish();
  return node('devices', {}, [
    deviceList,
    node('key-index-list', { ts: String(timestamp) }, signed),
  ]);
}

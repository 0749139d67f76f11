import { randomBytes, randomInt } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { proto } from '@whiskeysockets/baileys';
import type { LinkedDevice } from '../model/account';
import type { SimUser } from '../model/sim-user';
import { node, nowSeconds } from './binary-nodes';
import { newMessageId, type SimContext } from './context';
import { sendTracked } from './delivery';

/**
 * What the phone sends a newly linked device on its first login, as peer messages from the
 * account's own number: an app-state key share, then the initial history sync (inline, no media
 * server): one conversation per contact and group, the contacts' push names and the
 * phone-number → LID mappings. `notify` carries the account's name: Baileys takes
 * `creds.me.name` from the push name of a message from itself.
 */
export async function sendInitialSync(sim: SimContext, device: LinkedDevice): Promise<void> {
  const account = device.account;
  const people = new Map<string, SimUser>();
  for (const contact of account.contacts) {
    people.set(contact.pn, contact);
  }
  for (const group of account.groups) {
    for (const { user } of group.participants) {
      if (user !== account.user) {
        people.set(user.pn, user);
      }
    }
  }
  const now = nowSeconds();
  const bootstrap: proto.IHistorySync = {
    syncType: proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP,
    chunkOrder: 0,
    progress: 100,
    conversations: [
      ...account.contacts.map((contact) => ({
        id: contact.jid,
        name: contact.name,
        displayName: contact.name,
        lidJid: contact.lidJid,
        conversationTimestamp: now - 3600,
      })),
      ...account.groups.map((group) => ({
        id: group.id,
        name: group.subject,
        conversationTimestamp: now - 3600,
      })),
    ],
    phoneNumberToLidMappings: [...people.values()].map((user) => ({
      pnJid: user.jid,
      lidJid: user.lidJid,
    })),
  };
  const pushNames: proto.IHistorySync = {
    syncType: proto.HistorySync.HistorySyncType.PUSH_NAME,
    chunkOrder: 1,
    progress: 100,
    pushnames: [...people.values()].map((user) => ({ id: user.jid, pushname: user.name })),
  };
  await sendFromPhone(sim, device, {
    protocolMessage: {
      type: proto.Message.ProtocolMessage.Type.APP_STATE_SYNC_KEY_SHARE,
      appStateSyncKeyShare: {
        keys: [
          {
            keyId: { keyId: randomBytes(6) },
            keyData: {
              keyData: randomBytes(32),
              fingerprint: { rawId: randomInt(2 ** 31), currentIndex: 0, deviceIndexes: [0] },
              timestamp: Date.now(),
            },
          },
        ],
      },
    },
  });
  for (const [index, sync] of [bootstrap, pushNames].entries()) {
    await sendHistoryChunk(sim, device, sync, index);
  }
  sim.events.emit('history-sync', {
    phone: account.phone,
    device: device.id,
    contacts: account.contacts.length,
    groups: account.groups.length,
  });
}

/** One history sync chunk, inline (no media server), as a peer message from the phone. */
export async function sendHistoryChunk(
  sim: SimContext,
  device: LinkedDevice,
  sync: proto.IHistorySync,
  chunkOrder: number,
): Promise<void> {
  await sendFromPhone(sim, device, {
    protocolMessage: {
      type: proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION,
      historySyncNotification: {
        syncType: sync.syncType as number as proto.Message.HistorySyncType,
        chunkOrder,
        progress: 100,
        initialHistBootstrapInlinePayload: deflateSync(proto.HistorySync.encode(sync).finish()),
      },
    },
  });
}

async function sendFromPhone(
  sim: SimContext,
  device: LinkedDevice,
  message: proto.IMessage,
): Promise<void> {
  const account = device.account;
  const encrypted = await account.user.signal.encrypt(device.signalAddress, message, () =>
    device.takeBundle(),
  );
  const connection = device.connection;
  if (!connection) {
    return; // not queued for an offline device
  }
  // pending until acknowledged (`peer_msg` receipt), like any message: delivered again at the
  // next login if the connection ends first
  sendTracked(
    device,
    connection,
    node(
      'message',
      {
        from: account.jid,
        id: newMessageId(),
        t: String(nowSeconds()),
        type: 'text',
        category: 'peer',
        notify: account.name,
      },
      [node('enc', { v: '2', type: encrypted.type }, encrypted.ciphertext)],
    ),
  );
  sim.logger.debug({ phone: account.phone, device: device.id }, 'peer message sent');
}

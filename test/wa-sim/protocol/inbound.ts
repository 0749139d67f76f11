import type { BinaryNode, proto } from '@whiskeysockets/baileys';
import type { Account, LinkedDevice, RetryRequest } from '../model/account';
import type { SimGroup } from '../model/group';
import type { SimUser } from '../model/sim-user';
import { node, nowSeconds } from './binary-nodes';
import { newMessageId, SENT_INBOUND_KEPT, type SentInbound, type SimContext } from './context';
import { deliverToDevices, sendToOnlineDevices, sendTracked } from './delivery';

export interface InboundOptions {
  /** Send into this group (the sender must be a participant) instead of a 1:1 chat. */
  group?: SimGroup;
  /** Message id; a fresh one by default. */
  id?: string;
  /** Address the 1:1 message from the sender's phone number (default) or its LID. */
  addressing?: 'pn' | 'lid';
}

export type ContactPresence = 'available' | 'unavailable' | 'composing' | 'recording' | 'paused';

/**
 * A contact sends a message to the account: Signal-encrypted by the contact's own session with
 * each linked device (1:1), or with its group sender key plus, the first time, a sender key
 * distribution message (groups).
 */
export async function sendInboundMessage(
  sim: SimContext,
  account: Account,
  from: SimUser,
  message: proto.IMessage,
  options: InboundOptions = {},
): Promise<string> {
  const id = options.id ?? newMessageId();
  const t = String(nowSeconds());
  const { group } = options;
  const type = message.conversation || message.extendedTextMessage ? 'text' : 'media';
  if (!group) {
    const lid = options.addressing === 'lid';
    const attrs = {
      from: lid ? from.lidJid : from.jid,
      id,
      t,
      type,
      notify: from.name,
      ...(lid ? { addressing_mode: 'lid', sender_pn: from.jid } : { sender_lid: from.lidJid }),
    };
    remember(sim, id, { from, message, attrs });
    await deliverToDevices(sim, account, async (device) => {
      const encrypted = await from.signal.encrypt(device.signalAddress, message, () =>
        device.takeBundle(),
      );
      return node('message', attrs, [
        node('enc', { v: '2', type: encrypted.type }, encrypted.ciphertext),
      ]);
    });
    return id;
  }
  if (!group.has(from)) {
    throw new Error(`${from.pn} is not a participant of ${group.id}`);
  }
  const { ciphertext, senderKeyDistributionMessage } = await from.signal.encryptGroup(
    group.id,
    from.jid,
    message,
  );
  const attrs = {
    from: group.id,
    participant: from.jid,
    participant_lid: from.lidJid,
    addressing_mode: 'pn',
    id,
    t,
    type,
    notify: from.name,
  };
  remember(sim, id, { from, message, attrs });
  await deliverToDevices(sim, account, async (device) => {
    const content: BinaryNode[] = [];
    const distributed = `${group.id}|${from.pn}|${device.jid}`;
    if (!sim.distributedSenderKeys.has(distributed)) {
      const encrypted = await from.signal.encrypt(
        device.signalAddress,
        {
          senderKeyDistributionMessage: {
            groupId: group.id,
            axolotlSenderKeyDistributionMessage: senderKeyDistributionMessage,
          },
        },
        () => device.takeBundle(),
      );
      content.push(node('enc', { v: '2', type: encrypted.type }, encrypted.ciphertext));
      sim.distributedSenderKeys.add(distributed);
    }
    content.push(node('enc', { v: '2', type: 'skmsg' }, ciphertext));
    return node('message', attrs, content);
  });
  return id;
}

function remember(sim: SimContext, id: string, sent: SentInbound): void {
  sim.sentInbound.set(id, sent);
  if (sim.sentInbound.size > SENT_INBOUND_KEPT) {
    sim.sentInbound.delete(sim.sentInbound.keys().next().value!);
  }
}

/**
 * The client could not decrypt a message (a retry receipt, e.g. it lost its Signal session) and
 * nacked it: the sender sends it again, as a real phone does, 1:1-encrypted to that device (also
 * for a group message) with `count` set; when the receipt carried keys, over a new session
 * started from them. (A duplicate of a message the client already decrypted is not retried:
 * Baileys nacks it with 487, "Key used already", and emits nothing.)
 */
export async function resendInbound(
  sim: SimContext,
  device: LinkedDevice,
  id: string,
  count: number,
  session?: RetryRequest['session'],
): Promise<boolean> {
  const sent = sim.sentInbound.get(id);
  const connection = device.connection;
  if (!sent || !connection || !device.online) {
    sim.logger.warn({ phone: device.account.phone, id }, 'retry receipt for an unknown message');
    return false;
  }
  if (session) {
    await sent.from.signal.repository.injectE2ESession({ jid: device.signalAddress, session });
  }
  const encrypted = await sent.from.signal.encrypt(device.signalAddress, sent.message, () =>
    device.takeBundle(),
  );
  sendTracked(
    device,
    connection,
    node('message', sent.attrs, [
      node('enc', { v: '2', type: encrypted.type, count: String(count) }, encrypted.ciphertext),
    ]),
  );
  sim.events.emit('resent', { phone: device.account.phone, device: device.id, id, count });
  return true;
}

/** Presence (online/offline) or chat state (typing, recording, paused) of a contact. */
export function sendContactPresence(
  account: Account,
  from: SimUser,
  state: ContactPresence,
  group?: SimGroup,
): number {
  if (state === 'available' || state === 'unavailable') {
    const now = nowSeconds();
    from.presence = { state, lastSeen: now };
    return sendToOnlineDevices(account, presenceNode(from));
  }
  const chatState =
    state === 'recording'
      ? node('composing', { media: 'audio' })
      : node(state === 'paused' ? 'paused' : 'composing');
  return sendToOnlineDevices(
    account,
    node('chatstate', group ? { from: group.id, participant: from.jid } : { from: from.jid }, [
      chatState,
    ]),
  );
}

export function presenceNode(user: SimUser): BinaryNode {
  const presence = user.presence ?? { state: 'unavailable', lastSeen: nowSeconds() - 3600 };
  return node('presence', {
    from: user.jid,
    type: presence.state,
    last: presence.state === 'unavailable' ? String(presence.lastSeen) : undefined,
  });
}

export type ReceiptType = 'delivery' | 'read' | 'played';

/** A receipt from a contact for messages the client sent (→ `messages.update` / `message-receipt.update`). */
export function sendContactReceipt(
  account: Account,
  chat: string,
  ids: string[],
  type: ReceiptType,
  participant?: string,
): void {
  const [first, ...rest] = ids;
  if (!first) {
    return;
  }
  sendToOnlineDevices(
    account,
    node(
      'receipt',
      {
        from: chat,
        participant,
        id: first,
        t: String(nowSeconds()),
        type: type === 'delivery' ? undefined : type,
      },
      rest.length
        ? [
            node(
              'list',
              {},
              rest.map((id) => node('item', { id })),
            ),
          ]
        : undefined,
    ),
  );
}

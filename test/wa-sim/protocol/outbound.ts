import {
  extractE2ESessionFromRetryReceipt,
  jidDecode,
  normalizeMessageContent,
  proto,
  type BinaryNode,
} from '@whiskeysockets/baileys';
import { receivedMedia } from '../media/received-media';
import type { LinkedDevice, ReceivedMessage } from '../model/account';
import { child, children, contentBytes, node, nowSeconds } from './binary-nodes';
import type { SimContext } from './context';
import { acknowledge } from './delivery';
import { sendContactReceipt } from './inbound';

const RECEIPTS_PER_GROUP_MESSAGE = 3;

export function textOf(message: proto.IMessage | undefined): string | undefined {
  const content = normalizeMessageContent(message);
  return (
    content?.conversation ??
    content?.extendedTextMessage?.text ??
    content?.imageMessage?.caption ??
    content?.videoMessage?.caption ??
    undefined
  );
}

/**
 * A `<message>` from a linked client: ack it, decrypt the copies meant for simulated parties
 * (contacts and the account's own phone), record the message, then let the contact send
 * delivery and read receipts.
 */
export async function handleClientMessage(
  sim: SimContext,
  device: LinkedDevice,
  stanza: BinaryNode,
): Promise<void> {
  const { id, to, type = 'text', category } = stanza.attrs;
  if (!id || !to) {
    return;
  }
  device.connection?.send(node('ack', { class: 'message', id, from: to, t: String(nowSeconds()) }));
  if (category === 'peer') {
    sim.logger.debug({ phone: device.account.phone, id }, 'peer message to the own phone ignored');
    return;
  }
  const isGroup = to.endsWith('@g.us');
  const copies = [...children(child(stanza, 'participants'), 'to')];
  let forRecipient: proto.IMessage | undefined;
  let sentCopy: proto.IMessage | undefined;
  for (const copy of copies) {
    const target = copy.attrs.jid ?? '';
    const enc = child(copy, 'enc');
    const user = sim.directory.userByJid(target);
    const ciphertext = contentBytes(enc);
    if (!user || (jidDecode(target)?.device ?? 0) !== 0 || !ciphertext) {
      continue; // another companion device, or nobody the simulator plays
    }
    const encType = enc?.attrs.type === 'pkmsg' ? 'pkmsg' : 'msg';
    let decrypted: proto.Message;
    try {
      decrypted = await user.signal.decrypt(device.signalAddress, encType, ciphertext);
    } catch (error) {
      sim.logger.warn(
        { err: error, to: target, id },
        'could not decrypt the copy of a client message',
      );
      continue;
    }
    if (isGroup && decrypted.senderKeyDistributionMessage) {
      await user.signal.processSenderKey(
        device.signalAddress,
        decrypted.senderKeyDistributionMessage,
      );
      sim.senderKeyHolders.set(`${to}|${device.signalAddress}`, user.signal);
    } else if (user === device.account.user) {
      sentCopy = decrypted.deviceSentMessage?.message ?? decrypted;
    } else {
      forRecipient ??= decrypted;
    }
  }
  let message = forRecipient ?? sentCopy;
  if (isGroup) {
    message = await decryptGroupPayload(sim, device, stanza, to);
  }
  const received: ReceivedMessage = {
    id,
    to,
    text: textOf(message),
    message: message ?? {},
    media: receivedMedia(sim.media, message),
    fromDevice: device.jid,
    type,
    timestamp: nowSeconds(),
  };
  device.account.received.push(received);
  sim.events.emit('message', { ...received, phone: device.account.phone });
  sendAutomaticReceipts(sim, device, to, id, isGroup);
}

async function decryptGroupPayload(
  sim: SimContext,
  device: LinkedDevice,
  stanza: BinaryNode,
  group: string,
): Promise<proto.IMessage | undefined> {
  const skmsg = children(stanza, 'enc').find((enc) => enc.attrs.type === 'skmsg');
  const holder = sim.senderKeyHolders.get(`${group}|${device.signalAddress}`);
  const ciphertext = contentBytes(skmsg);
  if (!holder || !ciphertext) {
    sim.logger.warn(
      { group, id: stanza.attrs.id },
      'group message without a known sender key: not decrypted',
    );
    return undefined;
  }
  try {
    return await holder.decryptGroup(group, device.signalAddress, ciphertext);
  } catch (error) {
    sim.logger.warn(
      { err: error, group, id: stanza.attrs.id },
      'could not decrypt a group message',
    );
    return undefined;
  }
}

function sendAutomaticReceipts(
  sim: SimContext,
  device: LinkedDevice,
  to: string,
  id: string,
  isGroup: boolean,
): void {
  if (sim.autoReceipts === 'none') {
    return;
  }
  const account = device.account;
  const types =
    sim.autoReceipts === 'read' ? (['delivery', 'read'] as const) : (['delivery'] as const);
  const senders: Array<string | undefined> = isGroup
    ? (sim.directory.group(to)?.participants ?? [])
        .filter((participant) => participant.user !== account.user)
        .slice(0, RECEIPTS_PER_GROUP_MESSAGE)
        .map((participant) => participant.user.jid)
    : sim.directory.userByJid(to)
      ? [undefined]
      : []; // nobody there to receive it
  // a little later, as from a real phone: sent at once, they would merge into the client's own
  // upsert of the message instead of arriving as messages.update
  types.forEach((type, step) =>
    sim.later(sim.receiptDelayMs * (step + 1), () => {
      for (const participant of senders) {
        sendContactReceipt(account, to, [id], type, participant);
      }
    }),
  );
}

/** A `<receipt>` from the client for messages the simulator delivered: ack it and report it. */
export function handleClientReceipt(
  sim: SimContext,
  device: LinkedDevice,
  stanza: BinaryNode,
): void {
  const { id, to, type, participant } = stanza.attrs;
  if (!id) {
    return;
  }
  device.connection?.send(node('ack', { class: 'receipt', id, from: to, type, participant }));
  const ids = [
    id,
    ...children(child(stanza, 'list'), 'item').map((item) => item.attrs.id ?? ''),
  ].filter(Boolean);
  if (type === 'retry') {
    // not an acknowledgement: the nack (`<ack class="message" error>`) that follows is, and the
    // sender then sends the message again (resendInbound)
    const count = Number(child(stanza, 'retry')?.attrs.count ?? '1') || 1;
    const session = extractE2ESessionFromRetryReceipt(stanza) ?? undefined;
    ids.forEach((retried) => device.retryRequests.set(retried, { count, session }));
    sim.logger.info(
      { phone: device.account.phone, ids, to, count },
      'client could not decrypt a message (retry receipt)',
    );
  } else {
    acknowledge(device, ids); // Baileys acknowledges a message it handled with its receipt
  }
  sim.events.emit('client-receipt', {
    phone: device.account.phone,
    device: device.id,
    ids,
    type,
    to: to ?? '',
  });
}

import type { BinaryNode } from '@whiskeysockets/baileys';
import type { LinkedDevice } from '../model/account';
import type { ClientConnection } from '../transport/client-connection';
import { allChildren } from './binary-nodes';
import type { SimContext } from './context';
import { acknowledge } from './delivery';
import { presenceNode, resendInbound } from './inbound';
import { handleIq } from './iq/iq-router';
import { handleClientMessage, handleClientReceipt } from './outbound';
import type { PairingService } from './pairing/pairing-service';

/** The linked device a connection is logged in as, if any. */
export function deviceOf(sim: SimContext, connection: ClientConnection): LinkedDevice | undefined {
  const session = connection.session;
  const device = session && sim.directory.account(session.phone)?.devices.get(session.device);
  return device?.connection === connection && device.loggedIn ? device : undefined;
}

/** Dispatches one stanza from a client. */
export async function routeStanza(
  sim: SimContext,
  pairing: PairingService,
  connection: ClientConnection,
  stanza: BinaryNode,
): Promise<void> {
  const device = deviceOf(sim, connection);
  if (stanza.tag === 'iq') {
    await handleIq(sim, pairing, connection, device, stanza);
    return;
  }
  if (!device) {
    sim.logger.debug({ tag: stanza.tag }, 'stanza before login ignored');
    return;
  }
  const phone = device.account.phone;
  switch (stanza.tag) {
    case 'message':
      await handleClientMessage(sim, device, stanza);
      return;
    case 'receipt':
      handleClientReceipt(sim, device, stanza);
      return;
    case 'ack': {
      const id = stanza.attrs.id ?? '';
      sim.events.emit('ack', {
        phone,
        device: device.id,
        id,
        class: stanza.attrs.class ?? '',
        error: stanza.attrs.error,
      });
      if (stanza.attrs.class === 'message') {
        acknowledge(device, [id]);
        const retry = device.retryRequests.get(id);
        if (retry !== undefined) {
          device.retryRequests.delete(id);
          await resendInbound(sim, device, id, retry.count, retry.session);
        }
      }
      return;
    }
    case 'presence': {
      const { type, to } = stanza.attrs;
      if (type === 'subscribe' && to) {
        const user = sim.directory.userByJid(to);
        if (user?.presence) {
          connection.send(presenceNode(user));
        }
      }
      sim.events.emit('client-presence', { phone, device: device.id, type, to });
      return;
    }
    case 'chatstate':
      sim.events.emit('client-presence', {
        phone,
        device: device.id,
        to: stanza.attrs.to,
        state: allChildren(stanza)[0]?.tag,
      });
      return;
    default:
      sim.logger.debug({ tag: stanza.tag }, 'stanza ignored');
  }
}

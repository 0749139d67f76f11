import type { BinaryNode } from '@whiskeysockets/baileys';
import type { LinkedDevice } from '../../model/account';
import type { ClientConnection } from '../../transport/client-connection';
import { allChildren, iqError, iqResult } from '../binary-nodes';
import type { SimContext } from '../context';
import type { PairingService } from '../pairing/pairing-service';
import { handleGroupsIq } from './groups-iq';
import type { IqHandler, IqRequest } from './iq-request';
import { handleEncryptIq } from './keys-iq';
import { handleMediaIq } from './media-iq';
import {
  handleAbPropsIq,
  handleAcknowledgedIq,
  handleAppStateIq,
  handleBlocklistIq,
  handleMultiDeviceIq,
  handlePassiveIq,
  handlePingIq,
  handlePrivacyIq,
  handleProfilePictureIq,
} from './session-iq';
import { handleUsyncIq } from './usync-iq';

const HANDLERS: Record<string, IqHandler> = {
  encrypt: handleEncryptIq,
  usync: handleUsyncIq,
  'w:g2': handleGroupsIq,
  passive: handlePassiveIq,
  'w:p': handlePingIq,
  privacy: handlePrivacyIq,
  blocklist: handleBlocklistIq,
  abt: handleAbPropsIq,
  'w:sync:app:state': handleAppStateIq,
  'w:profile:picture': handleProfilePictureIq,
  md: handleMultiDeviceIq,
  'w:m': handleMediaIq,
  'urn:xmpp:whatsapp:dirty': handleAcknowledgedIq,
  status: handleAcknowledgedIq,
  'w:stats': handleAcknowledgedIq,
  disappearing_mode: handleAcknowledgedIq,
};

/**
 * Answers every IQ a client sends: Baileys awaits each one (60 s timeout), several in sequence
 * before `connection: open`. IQs nobody simulates get an empty result and are reported
 * (`sim.unhandledIqs`, a warning, the `unhandled-iq` event): a Baileys upgrade that adds one shows.
 */
export async function handleIq(
  sim: SimContext,
  pairing: PairingService,
  connection: ClientConnection,
  device: LinkedDevice | undefined,
  iq: BinaryNode,
): Promise<void> {
  const id = iq.attrs.id;
  if (!id || iq.attrs.type === 'result' || iq.attrs.type === 'error') {
    return;
  }
  let answered = false;
  const request: IqRequest = {
    sim,
    pairing,
    connection,
    device,
    iq,
    first: allChildren(iq)[0],
    respond: (content) => {
      answered = true;
      connection.send(iqResult(id, content));
    },
    fail: (code, text) => {
      answered = true;
      connection.send(iqError(id, code, text));
    },
  };
  const xmlns = iq.attrs.xmlns ?? '';
  const handler = HANDLERS[xmlns];
  let handled = false;
  try {
    handled = handler ? await handler(request) : false;
  } catch (error) {
    sim.logger.error({ err: error, xmlns, id }, 'IQ handler failed');
    if (!answered) {
      request.fail(500, 'internal-server-error');
    }
    return;
  }
  if (!handled) {
    const entry = {
      phone: device?.account.phone,
      xmlns,
      type: iq.attrs.type ?? '',
      child: request.first?.tag,
      at: Date.now(),
    };
    sim.unhandledIqs.push(entry);
    sim.logger.warn(entry, 'unhandled IQ answered with an empty result');
    sim.events.emit('unhandled-iq', entry);
    if (!answered) {
      request.respond();
    }
  }
}

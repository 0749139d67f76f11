import { children, node } from '../binary-nodes';
import { PairingError } from '../pairing/device-linking';
import { finishLogin, unlinkDevice } from '../session';
import type { IqHandler } from './iq-request';

const PRIVACY = {
  last: 'all',
  online: 'all',
  profile: 'all',
  status: 'all',
  readreceipts: 'all',
  groupadd: 'all',
  calladd: 'all',
  messages: 'all',
};

/** `xmlns="passive"`: `active` closes the client's login sequence. */
export const handlePassiveIq: IqHandler = async ({ sim, connection, device, first, respond }) => {
  respond();
  if (device && first?.tag === 'active') {
    await finishLogin(sim, device, connection);
  }
  return true;
};

export const handlePingIq: IqHandler = ({ respond }) => {
  respond();
  return true;
};

/** Things a client just sets or fetches without the simulator keeping state. */
export const handleAcknowledgedIq: IqHandler = ({ respond }) => {
  respond();
  return true;
};

export const handlePrivacyIq: IqHandler = ({ sim, device, iq, first, respond }) => {
  if (iq.attrs.type === 'set' && first?.tag === 'tokens' && device) {
    sim.events.emit('privacy-tokens', {
      phone: device.account.phone,
      device: device.id,
      jids: children(first, 'token').map((token) => token.attrs.jid),
    });
  }
  if (iq.attrs.type === 'get') {
    respond([
      node(
        'privacy',
        {},
        Object.entries(PRIVACY).map(([name, value]) => node('category', { name, value })),
      ),
    ]);
  } else {
    respond();
  }
  return true;
};

export const handleBlocklistIq: IqHandler = ({ iq, respond }) => {
  respond(iq.attrs.type === 'get' ? [node('list')] : undefined);
  return true;
};

/** `xmlns="abt"`: no A/B props. */
export const handleAbPropsIq: IqHandler = ({ respond }) => {
  respond([node('props', { protocol: '1' })]);
  return true;
};

/** `xmlns="w:sync:app:state"`: every collection is at the version the client has (no patches). */
export const handleAppStateIq: IqHandler = ({ first, respond }) => {
  const collections = children(first, 'collection').map((collection) =>
    node('collection', { name: collection.attrs.name, version: collection.attrs.version ?? '0' }),
  );
  respond([node('sync', {}, collections)]);
  return true;
};

/** `xmlns="w:profile:picture"`: every known user and group has a picture. */
export const handleProfilePictureIq: IqHandler = ({ sim, iq, first, respond, fail }) => {
  const target = iq.attrs.target ?? iq.attrs.to ?? '';
  if (iq.attrs.type !== 'get') {
    respond([node('picture', { id: String(Date.now()) })]);
    return true;
  }
  const failure = sim.failingPictures.get(target);
  if (failure !== undefined) {
    fail(failure, failure === 404 ? 'item-not-found' : 'internal-server-error');
    return true;
  }
  const known = sim.directory.userByJid(target) ?? sim.directory.group(target);
  if (!known) {
    fail(404, 'item-not-found');
    return true;
  }
  const type = first?.attrs.type ?? 'preview';
  const url = sim.pictureUrl(target);
  respond([node('picture', { id: '1', type, url, direct_path: new URL(url).pathname })]);
  return true;
};

/** `xmlns="md"`: logout (remove-companion-device) and pairing by phone-number code. */
export const handleMultiDeviceIq: IqHandler = async ({
  sim,
  pairing,
  connection,
  device,
  first,
  respond,
  fail,
}) => {
  if (first?.tag === 'remove-companion-device') {
    respond();
    if (device) {
      unlinkDevice(sim, device, 'client');
    }
    connection.streamError(401);
    return true;
  }
  if (first?.tag !== 'link_code_companion_reg') {
    return false;
  }
  try {
    if (first.attrs.stage === 'companion_hello') {
      respond(pairing.onCompanionHello(connection, first));
    } else if (first.attrs.stage === 'companion_finish') {
      const link = await pairing.onCompanionFinish(connection, first);
      respond();
      link().catch((error: unknown) => sim.logger.warn({ err: error }, 'code pairing failed'));
    } else {
      return false;
    }
  } catch (error) {
    if (!(error instanceof PairingError)) {
      throw error;
    }
    fail(error.status, error.message);
  }
  return true;
};

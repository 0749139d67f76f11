/**
 * WhatsApp Web server simulator for tests. See README.md.
 *
 *   const sim = await WaSimulator.start();
 *   installTrustRoot(sim.rootPublicKey);
 *   // connect Baileys with waWebSocketUrl: sim.wsUrl, then on its `qr`:
 *   const linked = await sim.scan(qr);
 *   await sim.account(linked.phone).sendText(linked.contacts[0].pn, 'hello');
 */
export { WaSimulator, type LinkOptions, type WaSimulatorOptions } from './simulator';
export { SimAccount, type GroupEvent, type KickCode, type SendOptions } from './account-handle';
export { SimEvents, type SimEventMap, type SimEventName, type UnhandledIq } from './events';
export { installTrustRoot, parseRootPublicKey, restoreWhatsAppTrustRoot } from './trust-root';
export { installMediaTrust } from './media/media-trust';
export { MEDIA_CA_FILE, MediaHost } from './media/media-host';
export {
  decryptMedia,
  encryptMedia,
  MediaIntegrityError,
  type SimMediaType,
} from './media/media-crypto';
export type { MediaToSend } from './media/outgoing-media';
export type { ReceivedMedia } from './media/received-media';
export { keyPairFromPrivateKey } from './transport/certificates';
export { PairingError } from './protocol/pairing/device-linking';
export type { ReceivedMessage } from './model/account';
export type { ContactPresence, ReceiptType } from './protocol/inbound';
export type { ReceiptMode, SimLogger } from './protocol/context';
export type { CloseReason } from './transport/client-connection';
export type {
  AccountInfo,
  ContactInfo,
  DeviceInfo,
  GroupInfo,
  LinkInfo,
  ParticipantInfo,
} from './views';

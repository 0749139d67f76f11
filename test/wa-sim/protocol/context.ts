import type { proto } from '@whiskeysockets/baileys';
import type { Logger } from 'pino';
import type { SimEvents, UnhandledIq } from '../events';
import type { MediaHost } from '../media/media-host';
import type { Directory } from '../model/directory';
import type { SimUser } from '../model/sim-user';
import type { SignalParty } from '../signal/signal-party';

export type SimLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/** Which receipts a contact sends back, automatically, for a message the client sent it. */
export type ReceiptMode = 'read' | 'delivery' | 'none';

/** State and services shared by the protocol handlers of one simulator. */
export interface SimContext {
  readonly directory: Directory;
  readonly events: SimEvents;
  readonly logger: SimLogger;
  readonly unhandledIqs: UnhandledIq[];
  /** The HTTPS media host (uploads and downloads of encrypted media). */
  readonly media: MediaHost;
  autoReceipts: ReceiptMode;
  /** Delay before an automatic delivery receipt (the read receipt follows after as long again). */
  receiptDelayMs: number;
  /** Schedules work after a delay; cancelled when the simulator stops. */
  later(delayMs: number, work: () => void): void;
  /** URL given for profile pictures (served by the control HTTP server when it runs). */
  pictureUrl(jid: string): string;
  /** Profile picture IQs for these JIDs fail with this error code (a fault, see `failPictures`). */
  readonly failingPictures: Map<string, number>;
  /**
   * Group sender keys the client distributed: `${group}|${device signal address}` → a member party
   * that processed the distribution message and can decrypt the group's messages.
   */
  readonly senderKeyHolders: Map<string, SignalParty>;
  /** `${group}|${member pn}|${device jid}`: the device already has this member's sender key. */
  readonly distributedSenderKeys: Set<string>;
  /** Messages contacts sent to clients, by id (the last `SENT_INBOUND_KEPT`), for retry receipts. */
  readonly sentInbound: Map<string, SentInbound>;
}

/** A message a contact sent to the client, kept to answer retry receipts by sending it again. */
export interface SentInbound {
  from: SimUser;
  message: proto.IMessage;
  /** The `<message>` attributes (chat, participant, addressing, notify, t). */
  attrs: Record<string, string>;
}

/** How many sent messages are kept for retry receipts (the oldest are forgotten). */
export const SENT_INBOUND_KEPT = 10_000;

let idCounter = 0;

/** A message id in the shape WhatsApp uses (`3EB0` + hex). */
export function newMessageId(): string {
  idCounter = (idCounter + 1) % 0x10000;
  return `3EB0${Date.now().toString(16).toUpperCase()}${idCounter.toString(16).toUpperCase().padStart(4, '0')}`;
}

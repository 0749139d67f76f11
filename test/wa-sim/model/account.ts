import type { BinaryNode, extractE2ESessionFromRetryReceipt, proto } from '@whiskeysockets/baileys';

type E2ESession = NonNullable<ReturnType<typeof extractE2ESessionFromRetryReceipt>>;
import type { ReceivedMedia } from '../media/received-media';
import type { PreKeyBundle } from '../signal/signal-party';
import type { ClientConnection } from '../transport/client-connection';
import type { SimGroup } from './group';
import type { SimUser } from './sim-user';

export interface AccountSetup {
  phone?: string;
  name: string;
  /** Sent in pair-success; Baileys stores it as `creds.platform`. */
  platform: string;
  contacts: number;
  groups: number;
  participantsPerGroup: number;
  /** Send the initial history sync (contacts, LID mappings, push name) on the first login. */
  historySync: boolean;
}

/** A message the linked client sent, as the simulator decrypted it. */
export interface ReceivedMessage {
  id: string;
  /** The chat as the client addressed it: a contact's `pn@s.whatsapp.net` or `lid@lid`, or a group JID. */
  to: string;
  /** Text of a plain or extended text message. */
  text?: string;
  /** The whole decrypted message. */
  message: proto.IMessage;
  /** Its image, video, audio, document or sticker, downloaded and decrypted by the recipient. */
  media?: ReceivedMedia;
  /** The linked device that sent it (`phone:device@s.whatsapp.net`). */
  fromDevice: string;
  /** Message type attribute of the stanza (`text`, `media`, `reaction`…). */
  type: string;
  timestamp: number;
}

/** A retry receipt: how many times the client asked, and the prekey bundle it included. */
export interface RetryRequest {
  count: number;
  session?: E2ESession;
}

/** A `<message>` stanza sent to a connection, kept until the client acknowledges it. */
export interface UnackedStanza {
  /** As queued (without the `offline` attribute a login adds). */
  stanza: BinaryNode;
  connection: ClientConnection;
}

export interface SignedPreKey {
  keyId: number;
  publicKey: Uint8Array;
  signature: Uint8Array;
}

/** A companion device (a gateway session) linked to an account. */
export class LinkedDevice {
  connection?: ClientConnection;
  /** `<success>` was sent on the current connection. */
  loggedIn = false;
  /** The connection on which the login sequence (offline queue, history sync) completed. */
  readyConnection?: ClientConnection;
  historySent = false;
  signedPreKey: SignedPreKey;
  private readonly preKeys: Array<{ keyId: number; publicKey: Uint8Array }> = [];
  /** Stanzas for this device while it is offline, delivered (with `offline` set) at next login. */
  readonly offlineQueue: BinaryNode[] = [];
  /**
   * `<message>` stanzas sent to a connection and not acknowledged yet (by a receipt or an
   * `<ack class="message">`), by message id, in the order they were sent. When that connection
   * ends they go back to the front of `offlineQueue` (WhatsApp's at-least-once delivery).
   */
  readonly unacked = new Map<string, UnackedStanza>();
  /**
   * Messages the client sent a retry receipt for (id → retry count, and the keys it sent to
   * start a new Signal session, if any): resent once it nacks them.
   */
  readonly retryRequests = new Map<string, RetryRequest>();
  private prekeyWaiters: Array<() => void> = [];
  private uploaded = false;

  constructor(
    readonly account: Account,
    readonly id: number,
    readonly keyIndex: number,
    readonly noiseKey: Buffer,
    readonly identityKey: Buffer,
    readonly registrationId: number,
    signedPreKey: SignedPreKey,
    readonly platform: string,
  ) {
    this.signedPreKey = signedPreKey;
  }

  get jid(): string {
    return `${this.account.phone}:${this.id}@s.whatsapp.net`;
  }

  get lidJid(): string {
    return `${this.account.user.lid}:${this.id}@lid`;
  }

  /** The address simulated parties use for their Signal sessions with this device. */
  get signalAddress(): string {
    return this.lidJid;
  }

  get online(): boolean {
    return this.loggedIn && this.connection?.isOpen === true;
  }

  /** Logged in and through its login sequence: messages sent now are delivered at once. */
  get ready(): boolean {
    return this.online && this.readyConnection === this.connection;
  }

  get preKeyCount(): number {
    return this.preKeys.length;
  }

  get hasUploadedPreKeys(): boolean {
    return this.uploaded;
  }

  storePreKeys(keys: Array<{ keyId: number; publicKey: Uint8Array }>): void {
    const known = new Set(this.preKeys.map((key) => key.keyId));
    this.preKeys.push(...keys.filter((key) => !known.has(key.keyId)));
    this.uploaded = true;
    const waiters = this.prekeyWaiters;
    this.prekeyWaiters = [];
    waiters.forEach((wake) => wake());
  }

  /** Resolves once the device has uploaded its prekeys (immediately if it already has). */
  preKeysUploaded(timeoutMs: number): Promise<void> {
    if (this.uploaded) {
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`device ${this.jid} did not upload its prekeys within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.prekeyWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** The bundle another party fetches to start a session; uses up one one-time prekey. */
  takeBundle(): PreKeyBundle {
    return {
      registrationId: this.registrationId,
      identityKey: this.identityKey,
      signedPreKey: this.signedPreKey,
      preKey: this.preKeys.shift(),
    };
  }
}

/** A simulated phone account: its own user, linked devices, address book and groups. */
export class Account {
  readonly devices = new Map<number, LinkedDevice>();
  readonly contacts: SimUser[];
  readonly groups: SimGroup[] = [];
  readonly received: ReceivedMessage[] = [];
  platform: string;
  historySync: boolean;
  /** New connections of this account are cut until this time (ms since epoch). */
  refuseUntil = 0;
  private lastDeviceId = 0;
  private lastKeyIndex = 0;

  constructor(
    readonly user: SimUser,
    setup: AccountSetup,
    contacts: SimUser[],
  ) {
    this.platform = setup.platform;
    this.historySync = setup.historySync;
    this.contacts = contacts;
  }

  get phone(): string {
    return this.user.pn;
  }

  get name(): string {
    return this.user.name;
  }

  get jid(): string {
    return this.user.jid;
  }

  get lidJid(): string {
    return this.user.lidJid;
  }

  get onlineDevices(): LinkedDevice[] {
    return [...this.devices.values()].filter((device) => device.online);
  }

  allocateDevice(): { id: number; keyIndex: number } {
    this.lastDeviceId += this.lastDeviceId + 1 === 99 ? 2 : 1;
    return { id: this.lastDeviceId, keyIndex: ++this.lastKeyIndex };
  }

  /** Key indexes of the linked devices still valid (for the signed key index list). */
  get validKeyIndexes(): number[] {
    return [...this.devices.values()].map((device) => device.keyIndex);
  }

  get currentKeyIndex(): number {
    return this.lastKeyIndex;
  }
}

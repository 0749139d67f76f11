import { EventEmitter } from 'node:events';
import type { ReceivedMessage } from './model/account';
import type { CloseReason } from './transport/client-connection';

export interface UnhandledIq {
  phone?: string;
  xmlns: string;
  type: string;
  /** Tag of the IQ's first child (`props`, `media_conn`…). */
  child?: string;
  at: number;
}

/** Everything the simulator reports. Await them with `sim.waitFor(...)` instead of sleeping. */
export interface SimEventMap {
  /** A new (unpaired) client connected and was sent pair-device refs: it will show a QR. */
  'pairing-requested': { connectionId: number; refs: string[] };
  /** A client asked for a pairing code (`requestPairingCode`): the phone can now enter it. */
  'pairing-code-requested': { phone: string; connectionId: number };
  /** A client was linked to an account (QR scan or pairing code), before its 515 restart. */
  paired: { phone: string; device: number; deviceJid: string; method: 'qr' | 'code' };
  /** A known device logged in (`<success>` sent). */
  login: {
    phone: string;
    device: number;
    deviceJid: string;
    connectionId: number;
    firstLogin: boolean;
  };
  /** A login was refused with `<failure reason=..>` (unknown or removed device). */
  'login-refused': { phone: string; device: number; connectionId: number; reason: number };
  /** A logged-in device finished its login sequence: prekeys in, offline queue delivered. */
  ready: { phone: string; device: number; deviceJid: string };
  /** The initial history sync was sent to a device. */
  'history-sync': { phone: string; device: number; contacts: number; groups: number };
  /** A connection ended. `phone`/`device` are set when it was logged in or registering a known device. */
  closed: { connectionId: number; phone?: string; device?: number; reason: CloseReason };
  /**
   * A connection ended (or was replaced) before the client acknowledged these messages: they are
   * queued again, ahead of the rest, for the device's next login.
   */
  requeued: { phone: string; device: number; connectionId: number; ids: string[] };
  /** A contact answered the client's retry receipt by sending the message again. */
  resent: { phone: string; device: number; id: string; count: number };
  /** The client sent a message and the simulator decrypted it. */
  message: ReceivedMessage & { phone: string };
  /** The client sent a receipt (delivery, read…) for a message the simulator delivered to it. */
  'client-receipt': { phone: string; device: number; ids: string[]; type?: string; to: string };
  /** The client acknowledged a stanza the simulator sent (message, receipt, notification). */
  ack: { phone: string; device: number; id: string; class: string; error?: string };
  /** The client sent a presence or chat state (typing) update. */
  'client-presence': { phone: string; device: number; type?: string; to?: string; state?: string };
  /**
   * The client issued its privacy (trusted-contact) token to contacts (`<iq xmlns="privacy"
   * type="set"><tokens>`): WhatsApp Web does it at most once per contact every 7 days.
   */
  'privacy-tokens': { phone: string; device: number; jids: string[] };
  /** An IQ nobody simulates: answered with an empty result. */
  'unhandled-iq': UnhandledIq;
  /** A device was unlinked (logout from the client, or a 401 kick). */
  unlinked: { phone: string; device: number; by: 'client' | 'server' };
}

export type SimEventName = keyof SimEventMap;

export class SimEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  on<K extends SimEventName>(event: K, listener: (payload: SimEventMap[K]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  emit<K extends SimEventName>(event: K, payload: SimEventMap[K]): void {
    this.emitter.emit(event, payload);
  }

  /**
   * Resolves with the next `event` whose payload matches `predicate`; rejects after `timeoutMs`.
   * Register the wait *before* triggering what causes the event.
   */
  waitFor<K extends SimEventName>(
    event: K,
    predicate: (payload: SimEventMap[K]) => boolean = () => true,
    timeoutMs = 15_000,
  ): Promise<SimEventMap[K]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for simulator event "${event}"`));
      }, timeoutMs);
      const off = this.on(event, (payload) => {
        if (predicate(payload)) {
          clearTimeout(timer);
          off();
          resolve(payload);
        }
      });
    });
  }
}

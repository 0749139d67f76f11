import { Injectable, Logger } from '@nestjs/common';
import type { WAMessage, WASocket } from '@whiskeysockets/baileys';

/** Called for every new Baileys socket, before it connects (each reconnect makes a new one). */
export type SocketListener = (sessionId: string, socket: WASocket) => void;

/**
 * Called with each decrypted incoming message before Baileys sends its delivery receipt (the
 * patched `beforeMessageReceipt` socket option): resolves once the message is stored; throws when
 * it could not be, and then no receipt is sent (WhatsApp delivers the message again).
 */
export type ReceiptGate = (
  sessionId: string,
  socket: WASocket,
  message: WAMessage,
  type: 'notify' | 'append',
) => Promise<void>;

/**
 * Where the engine's feature adapters (message normalizer, address book feed, sender, ...) meet
 * the live sockets: they subscribe to each socket's `ev` and look up the current socket of a
 * session to send commands. Only `src/whatsapp/` sees this; feature modules use the ports.
 */
@Injectable()
export class BaileysSocketHub {
  private readonly logger = new Logger('BaileysSocketHub');
  private readonly sockets = new Map<string, WASocket>();
  private readonly listeners: SocketListener[] = [];
  private gate: ReceiptGate | undefined;

  onSocket(listener: SocketListener): void {
    this.listeners.push(listener);
  }

  /** Sets what every socket awaits before it acknowledges an incoming message (one at most). */
  gateReceipts(gate: ReceiptGate): void {
    this.gate = gate;
  }

  /** What a session's socket awaits before the delivery receipt of `message`. */
  beforeReceipt(
    sessionId: string,
    socket: WASocket,
    message: WAMessage,
    type: 'notify' | 'append',
  ): Promise<void> {
    return this.gate ? this.gate(sessionId, socket, message, type) : Promise.resolve();
  }

  attach(sessionId: string, socket: WASocket): void {
    this.sockets.set(sessionId, socket);
    for (const listener of this.listeners) {
      try {
        listener(sessionId, socket);
      } catch (error) {
        this.logger.error(`[${sessionId}] a socket listener failed: ${String(error)}`);
      }
    }
  }

  detach(sessionId: string, socket: WASocket): void {
    if (this.sockets.get(sessionId) === socket) {
      this.sockets.delete(sessionId);
    }
  }

  /** The session's current socket (open or still connecting), if it runs in this process. */
  socketOf(sessionId: string): WASocket | undefined {
    return this.sockets.get(sessionId);
  }
}

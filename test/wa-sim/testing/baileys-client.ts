import {
  initAuthCreds,
  makeWASocket,
  type AuthenticationState,
  type BaileysEventMap,
  type ConnectionState,
  type UserFacingSocketConfig,
  type WAMessage,
  type WASocket,
} from '@whiskeysockets/baileys';
import pino from 'pino';
import type { WebSocket } from 'ws';
import { createMemoryKeyStore } from '../signal/memory-key-store';

/** Credentials and Signal keys kept in memory: reused across reconnects, like an app's auth store. */
export function createMemoryAuthState(): AuthenticationState {
  return { creds: initAuthCreds(), keys: createMemoryKeyStore() };
}

export interface TestClientOptions {
  /** Process history sync (default true; false skips waiting for it on first login). */
  syncHistory?: boolean;
  /** Extra Baileys options. */
  config?: Partial<UserFacingSocketConfig>;
}

type EventName = keyof BaileysEventMap;

/** Text of a received or sent message (plain or extended text). */
export function textOf(message: WAMessage): string | undefined {
  return message.message?.conversation ?? message.message?.extendedTextMessage?.text ?? undefined;
}

/** The status code Baileys closed with (`DisconnectReason`), or undefined. */
export function disconnectCode(update: Partial<ConnectionState>): number | undefined {
  const error = update.lastDisconnect?.error as { output?: { statusCode?: number } } | undefined;
  return error?.output?.statusCode;
}

/**
 * A plain Baileys client pointed at the simulator, with helpers to await its events. One
 * instance is one socket; reconnect (after a 515, a drop…) by connecting a new one with the same
 * auth state, as an application does.
 */
export class TestClient {
  readonly sock: WASocket;
  private closed = false;
  private frozen = false;

  private constructor(sock: WASocket) {
    this.sock = sock;
    sock.ev.on('connection.update', (update) => {
      if (update.connection === 'close') {
        this.closed = true;
      }
    });
  }

  static connect(
    wsUrl: string,
    auth: AuthenticationState,
    options: TestClientOptions = {},
  ): TestClient {
    const syncHistory = options.syncHistory ?? true;
    return new TestClient(
      makeWASocket({
        waWebSocketUrl: wsUrl,
        auth,
        logger: pino({ level: 'silent' }),
        markOnlineOnConnect: false,
        syncFullHistory: false,
        shouldSyncHistoryMessage: () => syncHistory,
        connectTimeoutMs: 10_000,
        ...options.config,
      }),
    );
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Next occurrence of a Baileys event matching `predicate` (register before triggering it). */
  waitForEvent<K extends EventName>(
    event: K,
    predicate: (payload: BaileysEventMap[K]) => boolean = () => true,
    timeoutMs = 15_000,
  ): Promise<BaileysEventMap[K]> {
    return new Promise((resolve, reject) => {
      const listener = (payload: BaileysEventMap[K]): void => {
        if (predicate(payload)) {
          clearTimeout(timer);
          this.sock.ev.off(event, listener);
          resolve(payload);
        }
      };
      const timer = setTimeout(() => {
        this.sock.ev.off(event, listener);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for Baileys event "${event}"`));
      }, timeoutMs);
      this.sock.ev.on(event, listener);
    });
  }

  /** The next QR code the client shows. */
  async waitForQr(timeoutMs = 15_000): Promise<string> {
    const update = await this.waitForEvent(
      'connection.update',
      (candidate) => !!candidate.qr,
      timeoutMs,
    );
    return update.qr!;
  }

  waitForOpen(timeoutMs = 15_000): Promise<Partial<ConnectionState>> {
    return this.waitForEvent(
      'connection.update',
      (update) => update.connection === 'open',
      timeoutMs,
    );
  }

  /** Resolves when the connection opens or closes, whichever comes first. */
  async waitForOpenOrClose(timeoutMs = 15_000): Promise<{ open: boolean; code?: number }> {
    const update = await this.waitForEvent(
      'connection.update',
      (candidate) => candidate.connection === 'open' || candidate.connection === 'close',
      timeoutMs,
    );
    return { open: update.connection === 'open', code: disconnectCode(update) };
  }

  /** Resolves with the close status code (Baileys `DisconnectReason`). */
  async waitForClose(timeoutMs = 15_000): Promise<number | undefined> {
    const update = await this.waitForEvent(
      'connection.update',
      (candidate) => candidate.connection === 'close',
      timeoutMs,
    );
    return disconnectCode(update);
  }

  /** The `ws` WebSocket under Baileys' socket client (null once Baileys closed it). */
  private get webSocket(): WebSocket | null {
    return (this.sock.ws as unknown as { socket: WebSocket | null }).socket;
  }

  /**
   * Like SIGSTOP on the client's process: nothing is read from the connection any more and
   * nothing is written to it (Baileys' writes vanish), but the TCP connection stays open.
   */
  freeze(): void {
    this.frozen = true;
    this.webSocket?.pause();
    this.muteWrites();
  }

  /**
   * What the client writes from now on never reaches the server (as when its process is killed
   * before its socket buffers are sent): it still reads and handles what arrives.
   */
  muteWrites(): void {
    const socket = this.webSocket;
    if (socket) {
      // Baileys' socket client writes through the ws WebSocket's send (looked up at each call)
      socket.send = ((_data: unknown, cb?: (error?: Error) => void) => cb?.()) as WebSocket['send'];
    }
  }

  /**
   * Like SIGKILL on the client's process: the TCP connection is destroyed without a WebSocket
   * close handshake, and nothing more is read (stop listening to its events at the same time).
   */
  kill(): void {
    const socket = this.webSocket;
    // frames already in the socket's buffers are not handed to Baileys (ws would on close)
    socket?.removeAllListeners('message');
    socket?.terminate();
    this.closed = true;
  }

  /** Closes the socket (no logout); a frozen client is killed (it would not answer a close). */
  end(): void {
    if (this.frozen) {
      this.kill();
    }
    if (!this.closed) {
      this.closed = true;
      void this.sock.end(undefined);
    }
  }
}

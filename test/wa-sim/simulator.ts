import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { KeyPair } from '@whiskeysockets/baileys';
import pino from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { SimAccount } from './account-handle';
import { SimEvents, type SimEventMap, type SimEventName, type UnhandledIq } from './events';
import { ControlServer } from './http/control-server';
import { MEDIA_CA_FILE, MediaHost } from './media/media-host';
import type { AccountSetup } from './model/account';
import { Directory } from './model/directory';
import { accountName } from './model/fixtures';
import type { ReceiptMode, SimContext, SimLogger } from './protocol/context';
import { PairingService } from './protocol/pairing/pairing-service';
import { pictureUrl } from './protocol/picture-url';
import { requeueUnacked } from './protocol/delivery';
import { deviceOf, routeStanza } from './protocol/router';
import { onHandshake } from './protocol/session';
import type { SignalParty } from './signal/signal-party';
import { createTrustChain, type TrustChain } from './transport/certificates';
import { ClientConnection, type ConnectionCallbacks } from './transport/client-connection';
import { linkInfo, type LinkInfo } from './views';

export interface WaSimulatorOptions {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** WebSocket port (default: any free port). */
  port?: number;
  /** Also start the JSON control API (`true` for any free port). */
  http?: boolean | { port?: number };
  /** Where the simulator logs (default: warnings and errors to stderr). */
  logger?: SimLogger;
  /** A fixed root key pair, for a trust root that survives restarts (default: a new one). */
  rootKeyPair?: KeyPair;
  /** Receipts contacts send back for the client's messages (default `read`: delivered, then read). */
  receipts?: ReceiptMode;
  /** Delay before an automatic delivery receipt; the read receipt follows as long after (default 100 ms). */
  receiptDelayMs?: number;
  /**
   * Cut a connection from which nothing arrived for this long (a stopped or vanished client
   * whose TCP connection stays open; its unacknowledged messages are queued again). Default
   * 70 000 (Baileys pings every 30 s); 0 never.
   */
  idleTimeoutMs?: number;
}

const DEFAULT_IDLE_TIMEOUT_MS = 70_000;

/** How a simulated phone links a client (QR scan or pairing code), and the account it creates. */
export interface LinkOptions {
  /** Account phone number (digits); a fresh one by default. An existing account gets one more device. */
  phone?: string;
  /** The account's push name (default `Sim Account N`). */
  name?: string;
  /** Platform announced in pair-success (default `android`). */
  platform?: string;
  /** Number of address-book contacts (default 5). */
  contacts?: number;
  /** Number of groups (default 2): the account owns group 0, administers 2, 6…, is a member of the odd ones. */
  groups?: number;
  /** Participants per group, the account included (default 4). */
  participantsPerGroup?: number;
  /** Send the initial history sync on first login (default true). */
  historySync?: boolean;
}

/**
 * A WhatsApp Web server simulator for tests: the real, unmodified Baileys connects to it over a
 * WebSocket (Noise handshake on a test certificate chain), links by QR or pairing code, logs in,
 * queries, and exchanges Signal-encrypted messages with simulated contacts.
 */
export class WaSimulator {
  readonly wsUrl: string;
  readonly rootPublicKey: Buffer;
  readonly rootPublicKeyHex: string;
  readonly events: SimEvents;
  /** The HTTPS media host (test CA: `mediaCaFile`) that clients upload to and download from. */
  readonly media: MediaHost;
  /** PEM file of the test CA that signed the media host's certificate. */
  readonly mediaCaFile = MEDIA_CA_FILE;

  private readonly context: SimContext;
  private readonly pairing: PairingService;
  private readonly connections = new Set<ClientConnection>();
  private refuseUntil = 0;
  private stopped = false;

  private constructor(
    private readonly server: Server,
    private readonly wss: WebSocketServer,
    private readonly trust: TrustChain,
    context: SimContext,
    wsUrl: string,
    private readonly timers: Set<NodeJS.Timeout>,
    private readonly idleTimeoutMs: number,
    private control?: ControlServer,
  ) {
    this.context = context;
    this.events = context.events;
    this.media = context.media;
    this.pairing = new PairingService(context);
    this.wsUrl = wsUrl;
    this.rootPublicKey = Buffer.from(trust.root.public);
    this.rootPublicKeyHex = this.rootPublicKey.toString('hex');
  }

  /** Base URL of the JSON control API, when it was started. */
  get httpUrl(): string | undefined {
    return this.control?.url;
  }

  static async start(options: WaSimulatorOptions = {}): Promise<WaSimulator> {
    const host = options.host ?? '127.0.0.1';
    const logger =
      options.logger ?? pino({ level: 'warn', base: { name: 'wa-sim' } }, pino.destination(2));
    const trust = createTrustChain(options.rootKeyPair);
    let pictureBase = 'https://pps.whatsapp.net/sim';
    const timers = new Set<NodeJS.Timeout>();
    const media = await MediaHost.start(host);
    const context: SimContext = {
      media,
      directory: new Directory(pino({ level: 'silent' })),
      events: new SimEvents(),
      logger,
      unhandledIqs: [],
      autoReceipts: options.receipts ?? 'read',
      receiptDelayMs: options.receiptDelayMs ?? 100,
      later: (delayMs, work) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          work();
        }, delayMs);
        timers.add(timer);
      },
      pictureUrl: (jid) => pictureUrl(pictureBase, jid),
      failingPictures: new Map<string, number>(),
      senderKeyHolders: new Map<string, SignalParty>(),
      distributedSenderKeys: new Set<string>(),
      sentInbound: new Map(),
    };
    const server = createServer((_request, response) => {
      response
        .writeHead(426, { 'content-type': 'text/plain' })
        .end('WhatsApp Web simulator: WebSocket only');
    });
    const wss = new WebSocketServer({ noServer: true, maxPayload: 32 * 1024 * 1024 });
    const port = await listen(server, host, options.port ?? 0);
    const simulator = new WaSimulator(
      server,
      wss,
      trust,
      context,
      `ws://${host}:${port}`,
      timers,
      options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    );
    server.on('upgrade', (request, socket: Socket, head) => {
      if (simulator.stopped || Date.now() < simulator.refuseUntil) {
        socket.destroy();
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => simulator.accept(ws));
    });
    if (options.http) {
      const httpPort = typeof options.http === 'object' ? (options.http.port ?? 0) : 0;
      simulator.control = await ControlServer.start(simulator, host, httpPort);
      pictureBase = `${simulator.control.url}/pictures`;
    }
    logger.info(
      { ws: simulator.wsUrl, http: simulator.httpUrl, media: media.baseUrl },
      'WhatsApp Web simulator listening',
    );
    return simulator;
  }

  /** Receipts contacts send back automatically for the client's messages. */
  get autoReceipts(): ReceiptMode {
    return this.context.autoReceipts;
  }

  set autoReceipts(mode: ReceiptMode) {
    this.context.autoReceipts = mode;
  }

  /** IQs nobody simulates, answered with an empty result (a Baileys upgrade may add some). */
  get unhandledIqs(): UnhandledIq[] {
    return [...this.context.unhandledIqs];
  }

  on<K extends SimEventName>(event: K, listener: (payload: SimEventMap[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  /** Next event matching `predicate` (register it before triggering the event). */
  waitFor<K extends SimEventName>(
    event: K,
    predicate?: (payload: SimEventMap[K]) => boolean,
    timeoutMs?: number,
  ): Promise<SimEventMap[K]> {
    return this.events.waitFor(event, predicate, timeoutMs);
  }

  /**
   * The simulated phone scans a QR code a client shows (the `qr` of Baileys' `connection.update`).
   * Resolves once the device is linked and sent its 515 restart; the client must then reconnect.
   */
  async scan(qr: string, options: LinkOptions = {}): Promise<LinkInfo> {
    const { account, device } = await this.pairing.scan(qr, this.setup(options));
    return linkInfo(account, device);
  }

  /**
   * The phone's user enters the code a client got from `requestPairingCode(phone)`. Resolves once
   * the device is linked (515 sent). A wrong code rejects with a PairingError (status 403).
   */
  async enterPairingCode(
    phone: string,
    code: string,
    options: Omit<LinkOptions, 'phone'> = {},
  ): Promise<LinkInfo> {
    const digits = phone.replace(/[^0-9]/g, '');
    const { account, device } = await this.pairing.enterPairingCode(
      digits,
      code.replace(/[^0-9A-Za-z]/g, '').toUpperCase(),
      this.setup({ ...options, phone: digits }),
    );
    return linkInfo(account, device);
  }

  /** The account with this phone number; throws if there is none. */
  account(phone: string): SimAccount {
    const found = this.findAccount(phone);
    if (!found) {
      throw new Error(`no simulated account ${phone}`);
    }
    return found;
  }

  findAccount(phone: string): SimAccount | undefined {
    const account = this.context.directory.account(phone.replace(/[^0-9]/g, ''));
    return account && new SimAccount(this.context, account);
  }

  accounts(): SimAccount[] {
    return this.context.directory.accounts.map((account) => new SimAccount(this.context, account));
  }

  /** Every new WebSocket connection is cut at once for `ms` milliseconds (the server is "down"). */
  refuseConnections(ms: number): void {
    this.refuseUntil = Date.now() + ms;
  }

  /**
   * Fault: the profile picture IQ of each JID answers an error `code` (default 500) instead of a
   * picture, until `failPictures([...], null)` clears them.
   */
  failPictures(jids: string[], code: number | null = 500): void {
    for (const jid of jids) {
      if (code === null) {
        this.context.failingPictures.delete(jid);
      } else {
        this.context.failingPictures.set(jid, code);
      }
    }
  }

  /** Number of open client connections (registering or logged in). */
  get connectionCount(): number {
    return this.connections.size;
  }

  async stop(): Promise<void> {
    if (this.stopped) {
      return;
    }
    this.stopped = true;
    this.timers.forEach((timer) => clearTimeout(timer));
    this.timers.clear();
    for (const connection of this.connections) {
      connection.terminate('server-stop');
    }
    await this.control?.stop();
    await this.media.stop();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private setup(options: LinkOptions): AccountSetup {
    const count = (value: number | undefined, fallback: number, name: string): number => {
      const result = value ?? fallback;
      if (!Number.isInteger(result) || result < 0) {
        throw new RangeError(`${name} must be a non-negative integer`);
      }
      return result;
    };
    const phone = options.phone?.replace(/[^0-9]/g, '') || undefined;
    return {
      phone,
      name: options.name ?? accountName(this.context.directory.accounts.length + 1),
      platform: options.platform ?? 'android',
      contacts: count(options.contacts, 5, 'contacts'),
      groups: count(options.groups, 2, 'groups'),
      participantsPerGroup: Math.max(
        1,
        count(options.participantsPerGroup, 4, 'participantsPerGroup'),
      ),
      historySync: options.historySync ?? true,
    };
  }

  private accept(ws: WebSocket): void {
    const callbacks: ConnectionCallbacks = {
      onHandshake: (connection, result) =>
        onHandshake(this.context, this.pairing, connection, result),
      onNode: (connection, stanza) => routeStanza(this.context, this.pairing, connection, stanza),
      onClose: (connection) => this.onClose(connection),
      onError: (connection, error) =>
        this.context.logger.warn(
          { err: error, connection: connection.id },
          'client connection error',
        ),
    };
    this.connections.add(new ClientConnection(ws, this.trust, callbacks, this.idleTimeoutMs));
  }

  private onClose(connection: ClientConnection): void {
    this.connections.delete(connection);
    this.pairing.forget(connection);
    const device = deviceOf(this.context, connection);
    if (device) {
      device.connection = undefined;
      device.loggedIn = false;
    }
    const session = connection.session;
    const owner =
      session && this.context.directory.account(session.phone)?.devices.get(session.device);
    if (owner) {
      requeueUnacked(this.context, owner, connection);
    }
    this.events.emit('closed', {
      connectionId: connection.id,
      phone: connection.session?.phone,
      device: connection.session?.device,
      reason: connection.closeReason ?? 'client',
    });
  }
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

import type { Logger as NestLogger } from '@nestjs/common';
import type { EventEmitter2 } from '@nestjs/event-emitter';
import {
  ConnectionState,
  makeCacheableSignalKeyStore,
  makeWASocket,
  WAMessage,
  WASocket,
} from '@whiskeysockets/baileys';
import type { Logger as PinoLogger } from 'pino';
import type { WhatsappConfig } from '../whatsapp.config';
import type { GatewayEvent } from '../events/gateway-events';
import type { SessionState } from '../whatsapp-session.entity';
import { decideOnClose, MESSAGE_NOT_STORED } from '../reconnect-policy';
import type { LiveSession } from '../session-manager';
import {
  AccountInfo,
  SessionAccountUpdatedEvent,
  SessionConnectedEvent,
  SessionDisconnectedEvent,
  SessionEvents,
  SessionQrEvent,
  SessionStateChangedEvent,
} from '../session-events';
import type { SessionPatch, SessionRecords } from '../session-records';
import { accountFromCreds, isPaired } from './account-info';
import type { DatabaseAuthState, DatabaseAuthStateStore } from './database-auth-state';
import type { SignalKeyCache } from './signal-key-cache';
import type { BaileysSocketHub } from './socket-hub';

const FIRST_QR_TTL_MS = 60_000;
const NEXT_QR_TTL_MS = 20_000;

export interface BaileysSessionDeps {
  config: WhatsappConfig;
  authStore: DatabaseAuthStateStore;
  keyCache: SignalKeyCache;
  records: SessionRecords;
  events: EventEmitter2;
  hub: BaileysSocketHub;
  /** Baileys' own logger (pino, at WA_LOG_LEVEL). */
  baileysLogger: PinoLogger;
  logger: NestLogger;
  random?: () => number;
}

type Ended = 'stopped' | 'logged_out' | 'given_up' | 'abandoned';

/**
 * One WhatsApp session: a Baileys socket, replaced on every reconnect, with the reconnect
 * policy applied to each close. Connection updates are handled one at a time, in order, and each
 * state is written to the database before its domain event is published.
 */
export class BaileysSession {
  state: SessionState = 'connecting';
  readonly startedAt = new Date();
  account: AccountInfo | null = null;

  private socket: WASocket | undefined;
  private auth!: DatabaseAuthState;
  private keys!: ReturnType<typeof makeCacheableSignalKeyStore>;
  private failedAttempts = 0;
  /** Consecutive closes because an incoming message could not be stored (see decideOnClose). */
  private storeFailures = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private qrCount = 0;
  private closing = false;
  private updates: Promise<void> = Promise.resolve();
  private socketClosed: (() => void) | undefined;
  private endedListener: ((ended: Ended) => void) | undefined;
  /** The last reconnect-later reason: the same failure again is logged at debug, not per retry. */
  private lastFailure: string | undefined;

  constructor(
    readonly sessionId: string,
    private readonly deps: BaileysSessionDeps,
  ) {}

  /** Called once when the session stops running by itself (logged out, gave up, replaced). */
  onEnded(listener: (ended: Ended) => void): void {
    this.endedListener = listener;
  }

  snapshot(): LiveSession {
    return {
      sessionId: this.sessionId,
      state: this.state,
      startedAt: this.startedAt,
      account: this.account,
      registered: Boolean(this.auth?.state.creds.registered),
    };
  }

  get paired(): boolean {
    return this.auth ? isPaired(this.auth.state.creds) : false;
  }

  async start(): Promise<void> {
    this.auth = await this.deps.authStore.load(this.sessionId);
    this.deps.keyCache.forget(this.sessionId);
    this.keys = makeCacheableSignalKeyStore(
      this.auth.state.keys,
      this.deps.baileysLogger,
      this.deps.keyCache.forSession(this.sessionId),
    );
    this.account = isPaired(this.auth.state.creds) ? accountFromCreds(this.auth.state.creds) : null;
    await this.setState('connecting', { disconnectReason: null, autoStart: true });
    this.connect();
  }

  /** Closes the socket without logging out; the device stays linked. */
  async stop(reason = 'stopped', autoStart = false): Promise<void> {
    await this.close();
    await this.serially(async () => {
      const wasLive = this.state !== 'disconnected' && this.state !== 'logged_out';
      const at = new Date();
      await this.setState(
        'disconnected',
        { disconnectReason: reason, autoStart, qrCode: null, qrExpiresAt: null },
        wasLive
          ? [
              {
                kind: 'session_disconnected',
                sessionId: this.sessionId,
                statusCode: null,
                reason,
                willReconnect: false,
                at,
              },
            ]
          : [],
      );
      if (wasLive) {
        this.publishDisconnected(null, reason, false, false);
      }
    });
  }

  /** Unlinks the device: tells WhatsApp when connected, then forgets the auth state. */
  async logout(reason = 'logged out by request'): Promise<void> {
    if (this.state === 'logged_out') {
      return;
    }
    this.closing = true;
    this.clearReconnect();
    const socket = this.socket;
    if (socket && this.state === 'connected') {
      const closed = this.waitForSocketClose();
      try {
        await socket.logout();
        await closed;
      } catch (error) {
        this.deps.logger.warn(`[${this.sessionId}] logout request failed: ${String(error)}`);
        await this.close();
      }
    } else {
      await this.close();
    }
    await this.serially(() => this.becomeLoggedOut(reason, null));
  }

  /**
   * Another process owns the session now: close the socket and stop every write, leaving the
   * stored state (the new owner's) as it is. Nothing is logged out.
   */
  async abandon(): Promise<void> {
    this.closing = true;
    this.clearReconnect();
    this.auth?.close();
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      this.deps.hub.detach(this.sessionId, socket);
      await socket.end(undefined);
    }
    this.deps.keyCache.forget(this.sessionId);
    this.end('abandoned');
  }

  async requestPairingCode(phoneNumber: string): Promise<string> {
    if (!this.socket) {
      throw new Error('session is not running');
    }
    return this.socket.requestPairingCode(phoneNumber);
  }

  private connect(): void {
    const { config, baileysLogger } = this.deps;
    this.closing = false;
    const socket = makeWASocket({
      auth: { creds: this.auth.state.creds, keys: this.keys },
      logger: baileysLogger,
      browser: [config.deviceName, 'Chrome', '120.0.0'],
      ...(config.version ? { version: config.version } : {}),
      ...(config.wsUrl ? { waWebSocketUrl: config.wsUrl } : {}),
      markOnlineOnConnect: false,
      syncFullHistory: false,
      generateHighQualityLinkPreview: false,
      // no local `messages.upsert` echo of what this socket sends: the send queue stores each
      // sent message itself (with its queue row's delete), so the echo was only normalized,
      // published and found already stored, and cost Baileys' event processing besides
      emitOwnEvents: false,
      // an incoming message is stored before its delivery receipt leaves (patched Baileys): a
      // process killed before that leaves it unacknowledged, and WhatsApp delivers it again
      ...(config.storeBeforeReceipt
        ? {
            beforeMessageReceipt: async (
              message: WAMessage,
              { type }: { type: 'notify' | 'append' },
            ) => {
              await this.deps.hub.beforeReceipt(this.sessionId, socket, message, type);
              this.storeFailures = 0;
            },
          }
        : {}),
    });
    this.socket = socket;
    this.deps.hub.attach(this.sessionId, socket);
    socket.ev.on('creds.update', () => {
      this.auth.saveCreds().catch((error: unknown) => {
        this.deps.logger.error(`[${this.sessionId}] could not save creds: ${String(error)}`);
      });
      this.serially(() => this.refreshAccountName()).catch(() => undefined);
    });
    socket.ev.on('connection.update', (update) => {
      this.serially(() => this.onConnectionUpdate(socket, update)).catch((error: unknown) => {
        this.deps.logger.error(`[${this.sessionId}] connection update failed: ${String(error)}`);
      });
    });
  }

  private async onConnectionUpdate(
    socket: WASocket,
    update: Partial<ConnectionState>,
  ): Promise<void> {
    if (socket !== this.socket) {
      return;
    }
    if (update.qr) {
      await this.onQr(update.qr);
    }
    if (update.connection === 'open') {
      await this.onOpen();
    } else if (update.connection === 'close') {
      this.socket = undefined;
      this.deps.hub.detach(this.sessionId, socket);
      this.socketClosed?.();
      this.socketClosed = undefined;
      if (!this.closing) {
        await this.onClose(update.lastDisconnect?.error);
      }
    }
  }

  private async onQr(qr: string): Promise<void> {
    const ttl = this.qrCount === 0 ? FIRST_QR_TTL_MS : NEXT_QR_TTL_MS;
    this.qrCount += 1;
    const expiresAt = new Date(Date.now() + ttl);
    await this.setState('qr_waiting', { qrCode: qr, qrExpiresAt: expiresAt }, [
      { kind: 'session_qr', sessionId: this.sessionId, qr, expiresAt },
    ]);
    this.publish<SessionQrEvent>(SessionEvents.Qr, { sessionId: this.sessionId, qr, expiresAt });
  }

  private async onOpen(): Promise<void> {
    this.failedAttempts = 0;
    this.lastFailure = undefined;
    this.qrCount = 0;
    await this.auth.flush();
    const account = accountFromCreds(this.auth.state.creds);
    this.account = account;
    const now = new Date();
    await this.setState(
      'connected',
      {
        connectedAt: now,
        disconnectReason: null,
        qrCode: null,
        qrExpiresAt: null,
        phoneNumber: account?.phoneNumber ?? null,
        pushName: account?.name ?? null,
        jid: account?.jid ?? null,
        lid: account?.lid ?? null,
        platform: account?.platform ?? null,
      },
      account ? [{ kind: 'session_connected', sessionId: this.sessionId, account, at: now }] : [],
    );
    if (account) {
      this.publish<SessionConnectedEvent>(SessionEvents.Connected, {
        sessionId: this.sessionId,
        account,
        at: now,
      });
    }
  }

  private async onClose(error: Error | undefined): Promise<void> {
    const statusCode = (error as { output?: { statusCode?: number } } | undefined)?.output
      ?.statusCode;
    const notStored = error?.message === MESSAGE_NOT_STORED;
    if (notStored) {
      this.storeFailures += 1;
    }
    const decision = decideOnClose({
      statusCode,
      message: error?.message,
      failedAttempts: this.failedAttempts,
      storeFailures: this.storeFailures,
      limits: this.deps.config.reconnect,
      random: this.deps.random,
    });
    const disconnected = (willReconnect: boolean, reason: string): void =>
      this.publishDisconnected(statusCode ?? null, reason, willReconnect, false);
    const reported = (willReconnect: boolean, reason: string): GatewayEvent[] => [
      {
        kind: 'session_disconnected',
        sessionId: this.sessionId,
        statusCode: statusCode ?? null,
        reason,
        willReconnect,
        at: new Date(),
      },
    ];

    switch (decision.action) {
      case 'reconnect-now':
        // The pairing result must be stored before the new socket logs in with it
        await this.auth.flush();
        await this.setState(
          'connecting',
          { disconnectReason: decision.reason },
          reported(true, decision.reason),
        );
        disconnected(true, decision.reason);
        this.connect();
        return;
      case 'reconnect-later': {
        this.failedAttempts = decision.attempt;
        const limit = this.deps.config.reconnect.maxAttempts;
        const count = notStored
          ? `${this.storeFailures} in a row`
          : `attempt ${decision.attempt}${limit > 0 ? `/${limit}` : ''}`;
        const reason = `${decision.reason}; reconnecting in ${Math.round(decision.delayMs / 100) / 10}s (${count})`;
        const quiet = decision.reason === this.lastFailure;
        this.lastFailure = decision.reason;
        await this.setState(
          'disconnected',
          { disconnectedAt: new Date(), disconnectReason: reason, qrCode: null, qrExpiresAt: null },
          reported(true, reason),
          quiet,
        );
        disconnected(true, reason);
        this.reconnectTimer = setTimeout(() => {
          this.reconnectTimer = undefined;
          this.serially(async () => {
            if (this.closing || this.socket) {
              return;
            }
            await this.setState('connecting', {}, [], this.lastFailure !== undefined);
            this.connect();
          }).catch(() => undefined);
        }, decision.delayMs);
        return;
      }
      case 'logged-out':
        await this.becomeLoggedOut(decision.reason, statusCode ?? null);
        return;
      case 'stop':
        await this.auth.flush();
        await this.setState(
          'disconnected',
          {
            disconnectedAt: new Date(),
            disconnectReason: decision.reason,
            autoStart: decision.autoStart,
            qrCode: null,
            qrExpiresAt: null,
          },
          reported(false, decision.reason),
        );
        disconnected(false, decision.reason);
        this.end('given_up');
        return;
      default: {
        const unreachable: never = decision;
        throw new Error(`unknown decision ${JSON.stringify(unreachable)}`);
      }
    }
  }

  private async becomeLoggedOut(reason: string, statusCode: number | null): Promise<void> {
    await this.auth.flush();
    this.auth.close();
    this.deps.keyCache.forget(this.sessionId);
    await this.deps.authStore.clear(this.sessionId);
    this.account = null;
    const at = new Date();
    await this.setState(
      'logged_out',
      {
        disconnectedAt: at,
        disconnectReason: reason,
        autoStart: false,
        qrCode: null,
        qrExpiresAt: null,
        phoneNumber: null,
        pushName: null,
        jid: null,
        lid: null,
        platform: null,
      },
      [{ kind: 'session_logged_out', sessionId: this.sessionId, reason, at }],
    );
    this.publishDisconnected(statusCode, reason, false, true);
    this.end('logged_out');
  }

  /** The push name arrives after login (history sync); keep the stored account current. */
  private async refreshAccountName(): Promise<void> {
    if (this.state !== 'connected' || !this.account) {
      return;
    }
    const latest = accountFromCreds(this.auth.state.creds);
    if (latest && (latest.name !== this.account.name || latest.lid !== this.account.lid)) {
      this.account = latest;
      await this.deps.records.updateOwned(this.sessionId, {
        pushName: latest.name,
        lid: latest.lid,
      });
      this.publish<SessionAccountUpdatedEvent>(SessionEvents.AccountUpdated, {
        sessionId: this.sessionId,
        account: latest,
        at: new Date(),
      });
    }
  }

  private async close(): Promise<void> {
    this.closing = true;
    this.clearReconnect();
    const socket = this.socket;
    if (socket) {
      const closed = this.waitForSocketClose();
      await socket.end(undefined);
      await closed;
    }
    await this.updates;
    await this.auth?.flush();
    // This socket is done: whatever Baileys still finishes for it must not write any more
    this.auth?.close();
    this.deps.keyCache.forget(this.sessionId);
  }

  private waitForSocketClose(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.socketClosed = resolve;
    });
  }

  private clearReconnect(): void {
    if (this.reconnectTimer) {
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = undefined;
    }
  }

  private end(ended: Ended): void {
    this.closing = true;
    this.clearReconnect();
    this.endedListener?.(ended);
  }

  /**
   * Stores the state, then publishes the change; `events` (what it reports to webhooks) commit
   * in the same transaction; `quiet` logs it at debug (a repeated retry).
   */
  private async setState(
    state: SessionState,
    patch: SessionPatch,
    events: GatewayEvent[] = [],
    quiet = false,
  ): Promise<void> {
    const previousState = this.state;
    this.state = state;
    if (previousState === 'connected' && state !== 'connected' && !patch.disconnectedAt) {
      // Every way out of `connected` (stop, 515 restart, drop, logout) records when it happened
      patch = { ...patch, disconnectedAt: new Date() };
    }
    await this.deps.records.updateOwned(this.sessionId, { ...patch, state }, events);
    if (previousState !== state) {
      const reason = patch.disconnectReason ? `: ${patch.disconnectReason}` : '';
      const line = `[${this.sessionId}] ${previousState} -> ${state}${reason}`;
      if (quiet) {
        this.deps.logger.debug(line);
      } else {
        this.deps.logger.log(line);
      }
      this.publish<SessionStateChangedEvent>(SessionEvents.StateChanged, {
        sessionId: this.sessionId,
        state,
        previousState,
        reason: patch.disconnectReason ?? null,
        at: new Date(),
      });
    }
  }

  private publishDisconnected(
    statusCode: number | null,
    reason: string,
    willReconnect: boolean,
    loggedOut: boolean,
  ): void {
    this.publish<SessionDisconnectedEvent>(SessionEvents.Disconnected, {
      sessionId: this.sessionId,
      statusCode,
      reason,
      willReconnect,
      loggedOut,
      at: new Date(),
    });
  }

  private publish<T>(event: string, payload: T): void {
    try {
      this.deps.events.emit(event, payload);
    } catch (error) {
      this.deps.logger.error(`[${this.sessionId}] a ${event} listener failed: ${String(error)}`);
    }
  }

  /** Runs `task` after every connection update queued before it. */
  private serially(task: () => Promise<void>): Promise<void> {
    const run = this.updates.then(task);
    this.updates = run.catch(() => undefined);
    return run;
  }
}

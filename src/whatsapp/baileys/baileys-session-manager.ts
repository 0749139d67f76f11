import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Mutex } from 'async-mutex';
import { PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { isForwardedHop } from '../../cluster/hop';
import { FencedCommits } from '../../cluster/fenced-commits';
import { PeerClient } from '../../cluster/peer-client';
import { SessionOwnership } from '../../cluster/session-ownership';
import { DomainError, SessionNotFound } from '../../common/errors/domain-errors';
import { AppConfig } from '../../config/app-config';
import {
  SessionDisconnectedEvent,
  SessionEvents,
  SessionRemovedEvent,
  SessionStateChangedEvent,
} from '../session-events';
import { LiveSession, SessionManager } from '../session-manager';
import { SessionRecords } from '../session-records';
import { BaileysMessageFeed } from './baileys-message-feed';
import { BaileysSession } from './baileys-session';
import { DatabaseAuthStateStore } from './database-auth-state';
import { SignalKeyCache } from './signal-key-cache';
import { BaileysSocketHub } from './socket-hub';

const RESTORE_CONCURRENCY = 25;
const PAIRING_READY_TIMEOUT_MS = 20_000;
const LOGOUT_CONNECT_TIMEOUT_MS = 15_000;

/** SessionManager over Baileys: one BaileysSession per running session, in this process. */
@Injectable()
export class BaileysSessionManager
  extends SessionManager
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger('SessionManager');
  private readonly sessions = new Map<string, BaileysSession>();
  private readonly locks = new Map<string, Mutex>();
  private readonly authStore: DatabaseAuthStateStore;
  private readonly keyCache = new SignalKeyCache();
  private shuttingDown = false;
  private takeoverTimer: NodeJS.Timeout | undefined;
  private takingOver: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: AppConfig,
    dataSource: DataSource,
    private readonly records: SessionRecords,
    private readonly events: EventEmitter2,
    private readonly pino: PinoLogger,
    private readonly hub: BaileysSocketHub,
    private readonly ownership: SessionOwnership,
    private readonly peers: PeerClient,
    private readonly feed: BaileysMessageFeed,
    commits: FencedCommits,
  ) {
    super();
    this.authStore = new DatabaseAuthStateStore(dataSource, commits);
    ownership.onLost((sessionId) => this.abandon(sessionId));
  }

  onApplicationBootstrap(): void {
    if (this.ownership.clustered) {
      // sessions that run nowhere (at first start, or whose process died) are shared out by
      // every process on each tick, the least loaded taking the next one
      this.takeoverTimer = setInterval(() => {
        this.takingOver = this.takingOver.then(() => this.takeOver());
      }, this.config.cluster.renewIntervalMs);
      this.takeoverTimer.unref();
      this.takingOver = this.takeOver();
      return;
    }
    this.restoreAll().catch((error: unknown) => {
      this.logger.error(`Restoring sessions failed: ${String(error)}`);
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    clearInterval(this.takeoverTimer);
    await this.takingOver;
    // in a cluster, the others take no new session from here and pick these up once released
    await this.ownership.drain();
    const running = [...this.sessions.values()];
    await Promise.all(
      running.map((session) =>
        this.withLock(session.sessionId, async () => {
          // Keep auto-start so the next boot (or another process) brings it back
          await session.stop('gateway shut down', true);
          this.sessions.delete(session.sessionId);
          // what the closed socket still reported is stored before another process takes over
          await this.feed.idle(session.sessionId);
          await this.ownership.release([session.sessionId]);
        }).catch((error: unknown) =>
          this.logger.warn(`[${session.sessionId}] close failed: ${String(error)}`),
        ),
      ),
    );
    await this.ownership.close();
  }

  get(sessionId: string): LiveSession | undefined {
    return this.sessions.get(sessionId)?.snapshot();
  }

  list(): LiveSession[] {
    return [...this.sessions.values()].map((session) => session.snapshot());
  }

  start(sessionId: string): Promise<LiveSession> {
    return this.withLock(sessionId, () => this.startUnlocked(sessionId));
  }

  stop(sessionId: string): Promise<void> {
    return this.withLock(sessionId, async () => {
      await this.requireRecord(sessionId);
      const session = this.sessions.get(sessionId);
      if (session) {
        await session.stop();
        this.sessions.delete(sessionId);
        await this.ownership.release([sessionId]);
      } else {
        await this.records.update(sessionId, { autoStart: false });
      }
    });
  }

  restart(sessionId: string): Promise<LiveSession> {
    return this.withLock(sessionId, async () => {
      const session = this.sessions.get(sessionId);
      if (session) {
        await session.stop('restarting', true);
        this.sessions.delete(sessionId);
      }
      return this.startUnlocked(sessionId, session !== undefined);
    });
  }

  logout(sessionId: string): Promise<void> {
    return this.withLock(sessionId, () => this.logoutUnlocked(sessionId, 'logged out by request'));
  }

  remove(sessionId: string): Promise<void> {
    return this.withLock(sessionId, async () => {
      await this.logoutUnlocked(sessionId, 'session deleted');
      this.events.emit(SessionEvents.Removed, {
        sessionId,
        at: new Date(),
      } satisfies SessionRemovedEvent);
    });
  }

  /** Tells WhatsApp (connecting first if needed) and forgets the auth state. */
  private async logoutUnlocked(sessionId: string, reason: string): Promise<void> {
    const record = await this.requireRecord(sessionId);
    let session = this.sessions.get(sessionId);
    if (
      !session &&
      record.state !== 'logged_out' &&
      (await this.authStore.isPaired(sessionId)) &&
      (await this.ownership.acquire(sessionId))
    ) {
      session = this.createSession(sessionId);
      await session.start();
      await this.waitForState(session, 'connected', LOGOUT_CONNECT_TIMEOUT_MS).catch(
        () => undefined,
      );
    }
    if (session) {
      await session.logout(reason);
      this.sessions.delete(sessionId);
      await this.ownership.release([sessionId]);
    }
    await this.authStore.clear(sessionId);
    if (!session) {
      await this.records.update(sessionId, {
        state: 'logged_out',
        autoStart: false,
        qrCode: null,
        qrExpiresAt: null,
        disconnectReason: reason,
        phoneNumber: null,
        pushName: null,
        jid: null,
        lid: null,
        platform: null,
      });
    }
  }

  async requestPairingCode(sessionId: string, phoneNumber: string): Promise<string> {
    const live = await this.start(sessionId);
    const session = this.sessions.get(sessionId);
    if (!session || live.state === 'connected' || session.paired) {
      throw new DomainError(
        409,
        `Session is already linked (state: ${live.state}); log out first to link another number`,
      );
    }
    try {
      await this.waitForState(session, 'qr_waiting', PAIRING_READY_TIMEOUT_MS);
      return await session.requestPairingCode(phoneNumber);
    } catch (error) {
      throw new DomainError(
        503,
        'Could not get a pairing code from WhatsApp',
        error instanceof Error ? error.message : String(error),
      );
    }
  }

  async restoreAll(options: { includeStopped?: boolean } = {}): Promise<string[]> {
    if (this.ownership.clustered) {
      return this.restoreShare(options.includeStopped ?? false);
    }
    const rows = await this.records.restorable(options.includeStopped ?? false);
    const paired: string[] = [];
    for (const row of rows) {
      if (await this.authStore.isPaired(row.sessionId)) {
        paired.push(row.sessionId);
      }
    }
    await this.records.markOrphansDisconnected(
      [...this.sessions.keys(), ...paired],
      'not running: start the session to link it',
    );
    const queue = [...paired];
    const started: string[] = [];
    const worker = async (): Promise<void> => {
      for (let id = queue.shift(); id !== undefined && !this.shuttingDown; id = queue.shift()) {
        try {
          await this.start(id);
          started.push(id);
        } catch (error) {
          this.logger.error(`[${id}] restore failed: ${String(error)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(RESTORE_CONCURRENCY, queue.length) }, worker));
    if (started.length > 0) {
      this.logger.log(`Restored ${started.length} session(s)`);
    }
    return started;
  }

  /**
   * Starts the session here, or (cluster) where it runs or should run: a session that runs
   * nowhere goes to the least loaded process, unless this request was forwarded here to run it.
   */
  private async startUnlocked(sessionId: string, leaseHeld = false): Promise<LiveSession> {
    const running = this.sessions.get(sessionId);
    if (running) {
      return running.snapshot();
    }
    if (this.shuttingDown) {
      throw new DomainError(503, 'The gateway is shutting down');
    }
    const record = await this.requireRecord(sessionId);
    if (this.ownership.clustered && !leaseHeld && !isForwardedHop()) {
      const owner =
        (await this.ownership.ownerOf(sessionId)) ?? (await this.ownership.placement(sessionId));
      if (!owner.local) {
        await this.peers.post(owner, `/sessions/${encodeURIComponent(sessionId)}/start`);
        const moved = await this.requireRecord(sessionId);
        return {
          sessionId,
          state: moved.state,
          startedAt: new Date(),
          account: null,
          registered: false,
        };
      }
    }
    if (!leaseHeld && !(await this.ownership.acquire(sessionId))) {
      throw new DomainError(
        409,
        `Session ${sessionId} runs on another gateway process (state: ${record.state})`,
      );
    }
    const session = this.createSession(sessionId);
    try {
      await session.start();
    } catch (error) {
      this.sessions.delete(sessionId);
      await this.ownership.release([sessionId]);
      throw error;
    }
    return session.snapshot();
  }

  /** Cluster: takes this process's share of the paired sessions that run nowhere. */
  private async takeOver(): Promise<void> {
    if (this.shuttingDown) {
      return;
    }
    try {
      await this.restoreShare(false);
    } catch (error) {
      this.logger.warn(`looking for sessions to take over failed: ${String(error)}`);
    }
  }

  private async restoreShare(includeStopped: boolean): Promise<string[]> {
    const free = await this.records.unowned(includeStopped);
    const paired: string[] = [];
    for (const sessionId of free) {
      if (!this.sessions.has(sessionId) && (await this.authStore.isPaired(sessionId))) {
        paired.push(sessionId);
      }
    }
    const mine = await this.ownership.share(paired);
    const started: string[] = [];
    await Promise.all(
      mine.map((sessionId) =>
        this.withLock(sessionId, async () => {
          if (this.sessions.has(sessionId) || this.shuttingDown) {
            return;
          }
          if (!(await this.ownership.acquire(sessionId))) {
            return; // another process was quicker
          }
          await this.reportOrphaned(sessionId);
          await this.startUnlocked(sessionId, true);
          started.push(sessionId);
        }).catch((error: unknown) => {
          this.logger.error(`[${sessionId}] take-over failed: ${String(error)}`);
        }),
      ),
    );
    if (started.length > 0) {
      this.logger.log(`Took over ${started.length} session(s)`);
    }
    return started;
  }

  /**
   * A session taken over that its stored state still shows live: its process died without a
   * word. Say so (stored, webhooks, socket.io) before it connects again here.
   */
  private async reportOrphaned(sessionId: string): Promise<void> {
    const record = await this.records.find(sessionId);
    if (!record || (record.state !== 'connected' && record.state !== 'connecting')) {
      return;
    }
    const at = new Date();
    const reason = `its gateway process stopped; taken over by ${this.ownership.nodeId}`;
    await this.records.updateOwned(
      sessionId,
      { state: 'disconnected', disconnectedAt: at, disconnectReason: reason },
      [
        {
          kind: 'session_disconnected',
          sessionId,
          statusCode: null,
          reason,
          willReconnect: true,
          at,
        },
      ],
    );
    this.events.emit(SessionEvents.StateChanged, {
      sessionId,
      state: 'disconnected',
      previousState: record.state,
      reason,
      at,
    } satisfies SessionStateChangedEvent);
    this.events.emit(SessionEvents.Disconnected, {
      sessionId,
      statusCode: null,
      reason,
      willReconnect: true,
      loggedOut: false,
      at,
    } satisfies SessionDisconnectedEvent);
  }

  /** Another process holds the session's lease now: let it go here, writing nothing. */
  private abandon(sessionId: string): void {
    const session = this.sessions.get(sessionId);
    if (!session) {
      return;
    }
    this.sessions.delete(sessionId);
    this.logger.warn(`[${sessionId}] owned by another gateway process now: dropped here`);
    session.abandon().catch((error: unknown) => {
      this.logger.warn(`[${sessionId}] dropping failed: ${String(error)}`);
    });
  }

  private createSession(sessionId: string): BaileysSession {
    const session = new BaileysSession(sessionId, {
      config: this.config.whatsapp,
      authStore: this.authStore,
      keyCache: this.keyCache,
      records: this.records,
      events: this.events,
      hub: this.hub,
      baileysLogger: this.pino.logger.child(
        { sessionId, component: 'baileys' },
        { level: this.baileysLevel() },
      ),
      logger: this.logger,
    });
    session.onEnded((ended) => {
      if (this.sessions.get(sessionId) === session) {
        this.sessions.delete(sessionId);
        // a session that gave up reconnecting keeps its lease: like a lone process, this one
        // leaves it stopped until asked (or until this process is gone), instead of another
        // process starting the same failing reconnects at once
        if (ended !== 'given_up') {
          this.ownership.release([sessionId]).catch(() => undefined);
        }
      }
    });
    this.sessions.set(sessionId, session);
    return session;
  }

  /** WA_LOG_LEVEL, but never chattier than LOG_LEVEL: silencing the gateway silences Baileys too. */
  private baileysLevel(): string {
    const { values } = this.pino.logger.levels;
    const rank = (level: string): number => (level === 'silent' ? Infinity : (values[level] ?? 0));
    const { logLevel } = this.config;
    const waLevel = this.config.whatsapp.logLevel;
    return rank(waLevel) >= rank(logLevel) ? waLevel : logLevel;
  }

  private async requireRecord(sessionId: string) {
    const record = await this.records.find(sessionId);
    if (!record) {
      throw new SessionNotFound(sessionId);
    }
    return record;
  }

  private waitForState(session: BaileysSession, state: string, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (session.state === state) {
        resolve();
        return;
      }
      const listener = (event: { sessionId: string; state: string }): void => {
        if (event.sessionId === session.sessionId && event.state === state) {
          cleanup();
          resolve();
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${state}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.events.off(SessionEvents.StateChanged, listener);
      };
      this.events.on(SessionEvents.StateChanged, listener);
    });
  }

  private withLock<T>(sessionId: string, task: () => Promise<T>): Promise<T> {
    let lock = this.locks.get(sessionId);
    if (!lock) {
      lock = new Mutex();
      this.locks.set(sessionId, lock);
    }
    return lock.runExclusive(task);
  }
}

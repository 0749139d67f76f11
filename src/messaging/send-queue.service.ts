import { GroupCommit } from '../database/group-commit';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { LeaseLost, SessionOwnership } from '../cluster/session-ownership';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import { DateUtils } from 'typeorm/util/DateUtils';
import { engineOf } from '../database/column-types';
import { placeholders } from '../database/bulk-sql';
import { DomainError } from '../common/errors/domain-errors';
import { AppConfig } from '../config/app-config';
import type { MessagingConfig } from './messaging.config';
import { SessionHooks } from '../sessions/session-hooks';
import { EventOutbox } from '../whatsapp/events/event-outbox';
import type { WaMessage } from '../whatsapp/message-events';
import { Messenger, SessionSocketUnavailable } from '../whatsapp/messenger';
import { SessionEvents } from '../whatsapp/session-events';
import type {
  SessionConnectedEvent,
  SessionDisconnectedEvent,
  SessionRemovedEvent,
} from '../whatsapp/session-events';
import { MessageEntity } from './entities/message.entity';
import { MessageStatusEntity } from './entities/message-status.entity';
import { QueuedSendEntity } from './entities/queued-send.entity';
import type { ComposedMessage } from './message-composer.service';
import { MessageStore } from './message-store.service';
import { SendQueueFull, SendTimedOut, WhatsAppFailed } from './messaging-errors';
import { StoredMessageEvents } from './messaging-events';
import type { MessageFailedEvent } from './messaging-events';
import { SessionGate } from './session-gate.service';

interface Waiter {
  resolve: (message: WaMessage) => void;
  reject: (error: Error) => void;
}

interface Job {
  messageId: string;
  sessionId: string;
  jid: string;
  composed: ComposedMessage;
  enqueuedAt: Date;
  /** When it fails if not sent by then: SEND_TIMEOUT_MS after it was queued; none for a campaign's */
  deadline: Date | null;
  /** The caller still waiting for the result (none for a job resumed at boot). */
  waiter?: Waiter;
}

interface Lane {
  jobs: Job[];
  running: boolean;
  lastSentAt: number;
  /** Jobs accepted whose rows are being stored. */
  reserved: number;
  /** The job being handed to WhatsApp and its result stored: a shutdown waits for it. */
  sending?: { job: Job; done: Promise<void> };
  /** Ends the drain's wait for the connection (to hand over, drop, or see a new job's deadline). */
  wake?: () => void;
}

/** setTimeout's longest delay (a longer one fires at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The waits before storing a sent message again, after a failure. */
const STORE_RETRY_MS = [100, 500, 2_000];

/** How long a shutdown waits for the sends under way to be stored. */
const SHUTDOWN_DRAIN_MS = 5_000;

/** Queue rows per insert statement: 6 parameters each, well under the drivers' limits. */
const ROWS_PER_INSERT = 500;

/** Published when a queued job leaves the queue (its row is gone): sent or failed. */
export const SEND_SETTLED = 'send_queue.settled';
export interface SendSettledEvent {
  sessionId: string;
  messageId: string;
  outcome: 'sent' | 'failed';
}

/** Whether the job's deadline (if it has one) passed by `now`. */
function expired(job: Job, now = Date.now()): boolean {
  return job.deadline !== null && job.deadline.getTime() <= now;
}

/** A message id in WhatsApp Web's style (3EB0 + hex), fixed before the message is queued. */
function newMessageId(): string {
  return `3EB0${randomBytes(9).toString('hex').toUpperCase()}`;
}

function revive(_key: string, value: unknown): unknown {
  const buffer = value as { type?: unknown; data?: unknown; base64?: unknown } | null;
  if (buffer?.type === 'Buffer' && typeof buffer.base64 === 'string') {
    return Buffer.from(buffer.base64, 'base64');
  }
  return buffer?.type === 'Buffer' && Array.isArray(buffer.data)
    ? Buffer.from(buffer.data as number[])
    : value;
}

/** The job as stored: media bytes as base64 (JSON's default, a number array, is ~4x larger). */
function serialize(composed: ComposedMessage): string {
  const { content } = composed;
  if (content.kind !== 'media') {
    return JSON.stringify(composed);
  }
  const data = { type: 'Buffer', base64: content.data.toString('base64') };
  return JSON.stringify({ ...composed, content: { ...content, data } });
}

/** Whether a send failed because the connection went away (then it waits and goes again). */
function isConnectionLoss(error: unknown): boolean {
  if (error instanceof SessionSocketUnavailable) {
    return true;
  }
  const status = (error as { output?: { statusCode?: unknown } }).output?.statusCode;
  return status === 428 || status === 408 || /connection (closed|lost)/i.test(String(error));
}

/**
 * Per-session outbound pacing: one send at a time, at least the minimum interval plus random
 * jitter apart; bounded (429 when full); a job waits through reconnects until its deadline
 * (`SEND_TIMEOUT_MS`). Jobs are persisted: a restart resumes them, or fails them with a reason.
 */
@Injectable()
export class SendQueue implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SendQueue');
  private readonly lanes = new Map<string, Lane>();
  /**
   * The message ids of the jobs this process holds, from before their row is written until it is
   * deleted (sent and stored, or failed) or the session moves away: `resume` never loads one of
   * them again from its row. A row is written before its job joins a lane and deleted only after
   * the send is stored, so a resume running meanwhile (the session connecting while sends come
   * in) would otherwise see the row of a job that is being queued or sent, and send it twice.
   */
  private readonly live = new Set<string>();
  private readonly config: MessagingConfig;
  private closing = false;
  /** Rows submitted while the previous insert is written go in the next one (one statement). */
  private readonly rowWrites = new GroupCommit<Job, Map<Job, unknown>>((jobs) =>
    this.writeRows(jobs),
  );

  constructor(
    config: AppConfig,
    private readonly gate: SessionGate,
    private readonly messenger: Messenger,
    private readonly store: MessageStore,
    private readonly outbox: EventOutbox,
    private readonly events: EventEmitter2,
    private readonly dataSource: DataSource,
    @InjectRepository(QueuedSendEntity) private readonly rows: Repository<QueuedSendEntity>,
    hooks: SessionHooks,
    private readonly ownership: SessionOwnership,
  ) {
    this.config = config.messaging;
    hooks.reportQueueLength((sessionId) => this.length(sessionId));
    // a lane waiting for its session to connect here hands its jobs over at once
    ownership.onLost((sessionId) => this.lanes.get(sessionId)?.wake?.());
  }

  async onApplicationBootstrap(): Promise<void> {
    // in a cluster, a session's queue is picked up by whichever process connects it
    if (!this.ownership.clustered) {
      await this.resume();
    }
  }

  /** Cluster: the session connected here; the queue it left (wherever it was) is sent from here. */
  @OnEvent(SessionEvents.Connected, { promisify: true, suppressErrors: true })
  async onConnected(event: SessionConnectedEvent): Promise<void> {
    if (this.ownership.clustered) {
      await this.resume(event.sessionId);
    }
  }

  /** A logged-out session's account is gone: what it had queued will never be sent from it. */
  @OnEvent(SessionEvents.Disconnected, { promisify: true, suppressErrors: true })
  async onDisconnected(event: SessionDisconnectedEvent): Promise<void> {
    if (event.loggedOut) {
      await this.dropQueue(event.sessionId, 'the session was logged out');
    }
  }

  @OnEvent(SessionEvents.Removed, { promisify: true, suppressErrors: true })
  async onRemoved(event: SessionRemovedEvent): Promise<void> {
    await this.dropQueue(event.sessionId, 'the session was deleted');
  }

  /**
   * Fails every job queued for the session (those in its lane and those only stored), except a
   * send under way. Without this, a job with no deadline (a campaign's) would wait for good, and
   * go out from whatever account is linked under the same session id later.
   */
  private async dropQueue(sessionId: string, reason: string): Promise<void> {
    const lane = this.lanes.get(sessionId);
    const held = lane ? lane.jobs.filter((job) => job !== lane.sending?.job) : [];
    if (lane) {
      lane.jobs = lane.jobs.filter((job) => job === lane.sending?.job);
      lane.wake?.();
    }
    const left = (await this.rows.findBy({ sessionId }))
      .filter((row) => !this.live.has(row.messageId))
      .map((row) => this.jobOf(row));
    for (const job of [...held, ...left]) {
      await this.fail(job, reason);
    }
  }

  /**
   * Loads the stored queue (of one session, or all) into the lanes: jobs already in a lane are
   * skipped, a job whose message is stored is done, one past its deadline fails.
   */
  private async resume(sessionId?: string): Promise<void> {
    const rows = (
      await this.rows.find({
        where: sessionId === undefined ? {} : { sessionId },
        order: { enqueuedAt: 'ASC' },
      })
    ).filter((row) => !this.live.has(row.messageId));
    const now = Date.now();
    let resumed = 0;
    const { stored, receipted } = await this.tracesOf(rows);
    for (const row of rows) {
      if (this.live.has(row.messageId)) {
        continue; // queued or sent here while the rows were read
      }
      const key = `${row.sessionId}\u0000${row.messageId}`;
      if (stored.has(key)) {
        await this.rows.delete({ messageId: row.messageId });
        continue;
      }
      const job = this.jobOf(row);
      if (receipted.has(key)) {
        // the recipient's receipt was stored, the message was not: it went out, do not resend
        await this.rows.delete({ messageId: row.messageId });
        this.logger.warn(
          `[${row.sessionId}] message ${row.messageId} reached its recipient before the stop (its receipt is stored): not sent again`,
        );
        this.settled(job, 'sent');
        continue;
      }
      if (expired(job, now)) {
        await this.fail(job, 'not sent before its deadline: the gateway was stopped');
      } else {
        this.live.add(job.messageId);
        this.lane(row.sessionId).jobs.push(job);
        resumed += 1;
      }
    }
    if (resumed > 0) {
      this.logger.log(`resumed ${resumed} queued message(s)`);
      for (const sessionId of this.lanes.keys()) {
        this.kick(sessionId);
      }
    }
  }

  private jobOf(row: QueuedSendEntity): Job {
    return {
      messageId: row.messageId,
      sessionId: row.sessionId,
      jid: row.chatJid,
      composed: JSON.parse(row.payload, revive) as ComposedMessage,
      enqueuedAt: row.enqueuedAt,
      deadline: row.deadlineAt,
    };
  }

  /**
   * The durable traces of jobs left by a hard stop: their message stored (sent, or failed and
   * recorded), or only a receipt of it (the message reached WhatsApp and its recipient, and the
   * process died before the message row was committed).
   */
  private async tracesOf(
    rows: QueuedSendEntity[],
  ): Promise<{ stored: Set<string>; receipted: Set<string> }> {
    const stored = new Set<string>();
    const receipted = new Set<string>();
    for (let start = 0; start < rows.length; start += 1000) {
      const where = { messageId: In(rows.slice(start, start + 1000).map((row) => row.messageId)) };
      const [messages, receipts] = await Promise.all([
        this.dataSource
          .getRepository(MessageEntity)
          .find({ select: { sessionId: true, messageId: true }, where }),
        this.dataSource
          .getRepository(MessageStatusEntity)
          .find({ select: { sessionId: true, messageId: true }, where }),
      ]);
      messages.forEach((row) => stored.add(`${row.sessionId}\u0000${row.messageId}`));
      receipts.forEach((row) => receipted.add(`${row.sessionId}\u0000${row.messageId}`));
    }
    return { stored, receipted };
  }

  /**
   * No new send starts; a send under way finishes and its message is stored before the sockets
   * and the database close, so a job a shutdown interrupted is never sent again at the next boot.
   */
  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    const inFlight: Promise<void>[] = [];
    for (const lane of this.lanes.values()) {
      if (lane.sending) {
        inFlight.push(lane.sending.done);
      }
      for (const job of lane.jobs.filter((queued) => queued !== lane.sending?.job)) {
        job.waiter?.reject(
          new WhatsAppFailed(
            'send the message now',
            'the gateway is shutting down; the message stays queued and is sent after the restart',
          ),
        );
        job.waiter = undefined;
      }
    }
    if (inFlight.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      const waited = await Promise.race([
        Promise.allSettled(inFlight).then(() => true),
        new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), SHUTDOWN_DRAIN_MS);
        }),
      ]);
      clearTimeout(timer);
      if (!waited) {
        this.logger.warn(
          `a send under way was not stored within ${SHUTDOWN_DRAIN_MS} ms of the shutdown: it is sent again at the next boot, under the same message id`,
        );
      }
    }
  }

  /** Messages waiting in the session's queue (the one being sent included). */
  length(sessionId: string): number {
    return this.lanes.get(sessionId)?.jobs.length ?? 0;
  }

  /** Queues a message and resolves once it is sent (or rejects with why it was not). */
  async submit(sessionId: string, jid: string, composed: ComposedMessage): Promise<WaMessage> {
    const lane = this.lane(sessionId);
    if (lane.jobs.length + lane.reserved >= this.config.queueMax) {
      throw new SendQueueFull(this.config.queueMax);
    }
    const job = this.newJob(sessionId, jid, composed, this.config.sendTimeoutMs);
    const result = new Promise<WaMessage>((resolve, reject) => {
      job.waiter = { resolve, reject };
    });
    // the slot is taken now, the job joins the lane once its row is stored: sent before its
    // row existed, the row written after would send it again at the next boot
    lane.reserved += 1;
    this.live.add(job.messageId);
    try {
      await this.storeRow(job);
    } catch (error) {
      this.live.delete(job.messageId);
      throw error;
    } finally {
      lane.reserved -= 1;
    }
    lane.jobs.push(job);
    this.kick(sessionId);
    return result;
  }

  /**
   * Writes a job's queue row in the caller's transaction (a campaign claims its recipient in the
   * same one) and returns its message id, fixed before anything is sent. `start()`, called after
   * the commit, puts the job in the session's lane; a crash in between leaves the row, which the
   * next boot resumes. Nobody waits for the result: SEND_SETTLED reports it. The job has no
   * deadline: however long its session is offline or the gateway stopped, it is sent when the
   * session is back (its campaign pauses meanwhile), never failed for being late.
   */
  async stage(
    manager: EntityManager,
    sessionId: string,
    jid: string,
    composed: ComposedMessage,
  ): Promise<{ messageId: string; start: () => void }> {
    const job = this.newJob(sessionId, jid, composed, null);
    await this.insertRow(manager, job);
    return {
      messageId: job.messageId,
      start: () => {
        if (this.live.has(job.messageId)) {
          return; // a resume found its committed row first and queued it
        }
        this.live.add(job.messageId);
        this.lane(sessionId).jobs.push(job);
        this.kick(sessionId);
      },
    };
  }

  private newJob(
    sessionId: string,
    jid: string,
    composed: ComposedMessage,
    timeoutMs: number | null,
  ): Job {
    const now = Date.now();
    return {
      messageId: newMessageId(),
      sessionId,
      jid,
      composed,
      enqueuedAt: new Date(now),
      deadline: timeoutMs === null ? null : new Date(now + timeoutMs),
    };
  }

  /**
   * Stores a submitted job's row. Rows submitted while the previous insert is being written are
   * group-committed in the next one (one statement, autocommit); if it fails, each row is written
   * on its own, so one bad row fails only its own submit.
   */
  private async storeRow(job: Job): Promise<void> {
    const failed = await this.rowWrites.add(job);
    if (failed.has(job)) {
      throw failed.get(job);
    }
  }

  private async writeRows(jobs: Job[]): Promise<Map<Job, unknown>> {
    const failed = new Map<Job, unknown>();
    try {
      await this.insertRows(this.dataSource.manager, jobs);
    } catch (error) {
      if (jobs.length === 1) {
        failed.set(jobs[0], error);
        return failed;
      }
      for (const job of jobs) {
        await this.insertRows(this.dataSource.manager, [job]).catch((jobError: unknown) => {
          failed.set(job, jobError);
        });
      }
    }
    return failed;
  }

  /** The job's row, in the caller's transaction. */
  private insertRow(manager: EntityManager, job: Job): Promise<void> {
    return this.insertRows(manager, [job]);
  }

  /**
   * The jobs' rows in multi-row statements of plain SQL (the query builder's cost per row is
   * most of the CPU of a small insert). Dates go to the driver as TypeORM's insert passes them:
   * Date objects to mysql2 (UTC sessions), UTC text to SQLite.
   */
  private async insertRows(manager: EntityManager, jobs: Job[]): Promise<void> {
    const sqlite = engineOf(manager.connection.options.type) === 'sqlite';
    const date = (value: Date): Date | string =>
      sqlite ? (DateUtils.mixedDateToUtcDatetimeString(value) as string) : value;
    const quote = (name: string): string => (sqlite ? `"${name}"` : `\`${name}\``);
    const columns = [
      'message_id',
      'session_id',
      'chat_jid',
      'payload',
      'enqueued_at',
      'deadline_at',
    ];
    const head = `INSERT INTO ${quote('whatsapp_send_queue')} (${columns.map(quote).join(', ')}) VALUES `;
    const tuple = `(${placeholders(columns)})`;
    for (let start = 0; start < jobs.length; start += ROWS_PER_INSERT) {
      const part = jobs.slice(start, start + ROWS_PER_INSERT);
      await manager.query(
        head + part.map(() => tuple).join(', '),
        part.flatMap((job) => [
          job.messageId,
          job.sessionId,
          job.jid,
          serialize(job.composed),
          date(job.enqueuedAt),
          job.deadline === null ? null : date(job.deadline),
        ]),
      );
    }
  }

  private lane(sessionId: string): Lane {
    let lane = this.lanes.get(sessionId);
    if (!lane) {
      lane = { jobs: [], running: false, lastSentAt: 0, reserved: 0 };
      this.lanes.set(sessionId, lane);
    }
    return lane;
  }

  private kick(sessionId: string): void {
    const lane = this.lane(sessionId);
    if (this.closing) {
      return;
    }
    if (lane.running) {
      // a drain waiting for the connection looks again: the new job may have an earlier deadline
      lane.wake?.();
      return;
    }
    lane.running = true;
    this.drain(sessionId, lane)
      .catch((error: unknown) => {
        this.logger.error(`[${sessionId}] send queue stopped: ${String(error)}`);
      })
      .finally(() => {
        lane.running = false;
        if (lane.jobs.length > 0 && !this.closing) {
          this.kick(sessionId);
        }
      });
  }

  private async drain(sessionId: string, lane: Lane): Promise<void> {
    while (lane.jobs.length > 0 && !this.closing) {
      if (!this.ownership.holds(sessionId)) {
        this.handOver(sessionId, lane);
        return;
      }
      const job = lane.jobs[0];
      if (expired(job)) {
        lane.jobs.shift();
        await this.fail(job, `not sent within ${this.config.sendTimeoutMs} ms`);
        continue;
      }
      if (!this.gate.isConnected(sessionId)) {
        await this.expireWaiting(lane);
        await this.connectedOrDeadline(sessionId, lane);
        continue;
      }
      await this.pace(lane);
      if (lane.jobs[0] !== job || expired(job)) {
        // dropped while it waited its turn, or its deadline passed: failed at the loop's top
        continue;
      }
      if (this.closing) {
        return; // no send starts once a shutdown began: the job stays queued for the next boot
      }
      const sending = this.sendOne(sessionId, lane, job);
      lane.sending = { job, done: sending.then(() => undefined) };
      let connectionLost: boolean;
      try {
        connectionLost = await sending;
      } finally {
        lane.sending = undefined;
      }
      if (connectionLost && !this.closing) {
        this.logger.warn(`[${sessionId}] connection lost while sending; the message waits`);
        await this.connectedOrDeadline(sessionId, lane);
      }
    }
  }

  /**
   * Hands the lane's first job to WhatsApp and stores its message (dequeued in the same
   * transaction); resolves true when the connection was lost first (the job waits in the lane).
   */
  private async sendOne(sessionId: string, lane: Lane, job: Job): Promise<boolean> {
    let message: WaMessage;
    try {
      message = await this.messenger.send(sessionId, job.jid, job.composed.content, {
        quoted: job.composed.quoted,
        messageId: job.messageId,
      });
    } catch (error) {
      if (isConnectionLoss(error)) {
        return true; // not handed over: it waits for the connection (or the next boot)
      }
      lane.jobs.shift();
      await this.fail(job, error instanceof Error ? error.message : String(error), error);
      return false;
    }
    lane.lastSentAt = Date.now();
    lane.jobs.shift();
    if (await this.storeSent(message)) {
      this.live.delete(job.messageId);
      this.settled(job, 'sent');
    }
    // WhatsApp has it: the caller is told so even if it could not be stored (a caller told it
    // failed would send it again, under a new id)
    job.waiter?.resolve(message);
    return false;
  }

  /**
   * Stores a sent message with its queue row deleted in the same transaction, trying again a few
   * times (the database may be briefly away). False when it could not: the row stays, and the
   * next boot sends the message again under the same id, which WhatsApp delivers once.
   */
  private async storeSent(message: WaMessage): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.store.saveMessages([message], { source: 'engine', dequeue: true });
        return true;
      } catch (error) {
        const retry = attempt < STORE_RETRY_MS.length && !(error instanceof LeaseLost);
        this.logger.error(
          `[${message.sessionId}] sent message ${message.id} not stored${retry ? ', trying again' : ''}: ${String(error)}`,
        );
        if (!retry) {
          return false;
        }
        await new Promise((resolve) => setTimeout(resolve, STORE_RETRY_MS[attempt]).unref());
      }
    }
  }

  /**
   * Cluster: the session moved to another process, which sends its queue from the stored rows;
   * this process forgets the jobs (rows untouched) and tells the waiting callers.
   */
  private handOver(sessionId: string, lane: Lane): void {
    const jobs = lane.jobs.splice(0);
    if (jobs.length > 0) {
      this.logger.warn(`[${sessionId}] ${jobs.length} queued message(s) left to the new owner`);
    }
    for (const job of jobs) {
      this.live.delete(job.messageId);
      job.waiter?.reject(
        new WhatsAppFailed(
          'send the message from this gateway process',
          'the session moved to another gateway process; the message stays queued and is sent from there',
        ),
      );
    }
  }

  private settled(job: Job, outcome: SendSettledEvent['outcome']): void {
    this.events.emit(SEND_SETTLED, {
      sessionId: job.sessionId,
      messageId: job.messageId,
      outcome,
    } satisfies SendSettledEvent);
  }

  private async pace(lane: Lane): Promise<void> {
    const { minIntervalMs, jitterMs } = this.config;
    if (minIntervalMs === 0 && jitterMs === 0) {
      return;
    }
    const due = lane.lastSentAt + minIntervalMs + Math.random() * jitterMs;
    const wait = due - Date.now();
    if (wait > 0) {
      await new Promise((resolve) => setTimeout(resolve, wait).unref());
    }
  }

  /**
   * While the session is offline, every job of the lane fails at its own deadline, not only the
   * first: a job without one (a campaign's) waits at the head without holding back the failure
   * of the REST sends behind it.
   */
  private async expireWaiting(lane: Lane): Promise<void> {
    const now = Date.now();
    const late = new Set(lane.jobs.filter((job) => expired(job, now)));
    if (late.size === 0) {
      return;
    }
    lane.jobs = lane.jobs.filter((job) => !late.has(job));
    for (const job of late) {
      await this.fail(job, `not sent within ${this.config.sendTimeoutMs} ms`);
    }
  }

  /** Waits until the session is connected, or the earliest deadline of the lane's jobs. */
  private connectedOrDeadline(sessionId: string, lane: Lane): Promise<void> {
    let deadline: number | null = null;
    for (const job of lane.jobs) {
      if (job.deadline && (deadline === null || job.deadline.getTime() < deadline)) {
        deadline = job.deadline.getTime();
      }
    }
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.events.off(SessionEvents.Connected, onConnected);
        lane.wake = undefined;
        resolve();
      };
      lane.wake = done;
      const onConnected = (event: SessionConnectedEvent): void => {
        if (event.sessionId === sessionId) {
          done();
        }
      };
      const timer =
        deadline === null
          ? undefined
          : // setTimeout's longest delay is 2^31 - 1 ms: a later deadline is waited for in turns
            setTimeout(done, Math.min(Math.max(0, deadline - Date.now()), MAX_TIMER_MS)).unref();
      this.events.on(SessionEvents.Connected, onConnected);
      if (this.gate.isConnected(sessionId) || this.closing) {
        done();
      }
    });
  }

  /** Drops the job with a reason: the queue row goes, a `message_failed` is recorded with it. */
  private async fail(job: Job, reason: string, cause?: unknown): Promise<void> {
    const at = new Date();
    this.logger.warn(`[${job.sessionId}] message ${job.messageId} failed: ${reason}`);
    await this.dataSource.transaction(async (manager) => {
      await manager.delete(QueuedSendEntity, { messageId: job.messageId });
      await this.outbox.record(manager, [
        {
          kind: 'message_failed',
          sessionId: job.sessionId,
          messageId: job.messageId,
          to: job.jid,
          reason,
          at,
        },
      ]);
    });
    this.events.emit(StoredMessageEvents.Failed, {
      sessionId: job.sessionId,
      messageId: job.messageId,
      to: job.jid,
      reason,
      at,
    } satisfies MessageFailedEvent);
    this.live.delete(job.messageId);
    this.settled(job, 'failed');
    const timedOut = reason.startsWith('not sent within');
    job.waiter?.reject(
      cause instanceof DomainError
        ? cause
        : timedOut
          ? new SendTimedOut(this.config.sendTimeoutMs)
          : new WhatsAppFailed('send the message', reason),
    );
  }
}

import { FencedCommits } from '../cluster/fenced-commits';
import { LeaseLost, sessionLease } from '../cluster/session-ownership';
import { Injectable, Logger } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { DataSource, EntityManager, FindOperator, In } from 'typeorm';
import { insertEntities } from '../database/bulk-sql';
import { GroupCommit } from '../database/group-commit';
import { EventOutbox } from '../whatsapp/events/event-outbox';
import type { GatewayEvent } from '../whatsapp/events/gateway-events';
import {
  MESSAGE_STATUSES,
  MessageEvents,
  type MessagesUpsertedEvent,
  type MessageStatus,
  type MessageStatusEvent,
  type WaMessage,
  type WaStatusUpdate,
} from '../whatsapp/message-events';
import { MessageEntity } from './entities/message.entity';
import { MessageStatusEntity, RECEIPT_STATUSES } from './entities/message-status.entity';
import { QueuedSendEntity } from './entities/queued-send.entity';
import type { ReceiptStatus } from './entities/message-status.entity';
import { messageRow } from './message-rows';
import { MessageStoredEvent, StatusStoredEvent, StoredMessageEvents } from './messaging-events';
import { isUniqueViolation } from '../database/driver-errors';

/** Where a status sits on the way forward; `failed` replaces only pending and sent. */
function rank(status: MessageStatus): number {
  return status === 'failed' ? 1.5 : MESSAGE_STATUSES.indexOf(status);
}

/** Whether a message at `current` moves to `next` (never backwards: read stays read). */
export function advances(current: MessageStatus, next: MessageStatus): boolean {
  return rank(next) > rank(current);
}

function isReceipt(status: MessageStatus): status is ReceiptStatus {
  return (RECEIPT_STATUSES as readonly string[]).includes(status);
}

/** Rows per lookup: well under the drivers' bound parameter limits. */
const LOOKUP_CHUNK = 1000;

function chunks<T>(items: T[], size: number): T[][] {
  const parts: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    parts.push(items.slice(start, start + size));
  }
  return parts;
}

/** A where clause matching the messages by (session, message id): one `IN` per session. */
function byIds(messages: WaMessage[]): { sessionId: string; messageId: FindOperator<string> }[] {
  const ids = new Map<string, string[]>();
  for (const message of messages) {
    const ofSession = ids.get(message.sessionId) ?? [];
    ofSession.push(message.id);
    ids.set(message.sessionId, ofSession);
  }
  return [...ids].map(([sessionId, ofSession]) => ({ sessionId, messageId: In(ofSession) }));
}

/** How `saveMessages` treats the messages it is given. */
export interface SaveOptions {
  /**
   * Where they come from. A receipt of an engine message (ours, from Baileys) can only have
   * reached this process's store, which remembers the receipts that came before their message:
   * no lookup. An ingested message's receipts may have been ingested anywhere: one lookup.
   * Default: `ingest` (the safe one).
   */
  source?: 'engine' | 'ingest';
  /** They were sent by the send queue: their queue rows are deleted in the same transaction. */
  dequeue?: boolean;
  /**
   * Engine messages only: reject (LeaseLost) instead of skipping them when this process no longer
   * owns their session. For a message whose delivery receipt waits for the store.
   */
  mustOwn?: boolean;
}

/** One `saveMessages` call waiting in a batch. */
interface SaveCall {
  messages: WaMessage[];
  source: 'engine' | 'ingest';
  dequeue: boolean;
  mustOwn: boolean;
}

interface BatchOutcome {
  /** The messages the batch stored (those of the calls, not copies). */
  stored: Set<WaMessage>;
  /** Calls that could not be stored, with their error. */
  failed: Map<SaveCall, unknown>;
}

/** Receipts remembered until their message is stored (a sent message is stored on its ack). */
const EARLY_RECEIPTS_MAX = 20_000;
const EARLY_RECEIPTS_TTL_MS = 10 * 60_000;

const keyOf = (sessionId: string, messageId: string): string => `${sessionId}\u0000${messageId}`;

/**
 * The persister of messages and their statuses (CONTRACT §7): idempotent per (session, message
 * id), outbox rows written in the same transaction, stored events published after commit.
 * Listeners are awaited by the sources, and their errors reach the emitter (the ingest answers
 * with them).
 */
@Injectable()
export class MessageStore {
  private readonly logger = new Logger('MessageStore');
  private readonly batches = new GroupCommit<SaveCall, BatchOutcome>((calls) =>
    this.writeBatch(calls),
  );
  /**
   * The furthest receipt status stored by this process for a message not stored yet: a delivery
   * receipt can beat our own sent message to the store, which then starts the message there.
   */
  private readonly earlyReceipts = new LRUCache<string, WaStatusUpdate>({
    max: EARLY_RECEIPTS_MAX,
    ttl: EARLY_RECEIPTS_TTL_MS,
  });

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: EventOutbox,
    private readonly events: EventEmitter2,
    private readonly commits: FencedCommits,
  ) {}

  // suppressErrors: false, or Nest's wrapper logs a failure and the source's emitAsync resolves:
  // the delivery receipt of a message not stored would go out (and the ingest answer success)
  @OnEvent(MessageEvents.Upserted, { promisify: true, suppressErrors: false })
  async onUpserted(event: MessagesUpsertedEvent): Promise<void> {
    await this.saveMessages(event.messages, {
      source: event.source,
      mustOwn: event.beforeReceipt ?? false,
    });
  }

  @OnEvent(MessageEvents.StatusUpdated, { promisify: true })
  async onStatusUpdated(event: MessageStatusEvent): Promise<void> {
    await this.saveStatuses(event.updates);
  }

  /**
   * Stores the messages not stored yet; resolves with those (a redelivery gives []). Calls made
   * while a batch is being written are group-committed in the next one (one transaction).
   */
  async saveMessages(messages: WaMessage[], options: SaveOptions = {}): Promise<WaMessage[]> {
    const unique = [...new Map(messages.map((message) => [message.id, message])).values()];
    if (unique.length === 0) {
      return [];
    }
    const call: SaveCall = {
      messages: unique,
      source: options.source ?? 'ingest',
      dequeue: options.dequeue ?? false,
      mustOwn: options.mustOwn ?? false,
    };
    const { stored, failed } = await this.batches.add(call);
    if (failed.has(call)) {
      throw failed.get(call);
    }
    // a message two calls of one batch name is stored (and reported) for the first of them
    return unique.filter((message) => stored.delete(message));
  }

  /**
   * Writes the batch in one transaction. If that fails, each call is written on its own, so one
   * bad message (or a call that hits an error) fails only its own save.
   */
  private async writeBatch(calls: SaveCall[]): Promise<BatchOutcome> {
    try {
      return { stored: await this.writeCalls(calls), failed: new Map() };
    } catch (error) {
      if (calls.length === 1) {
        return { stored: new Set(), failed: new Map([[calls[0], error]]) };
      }
      const outcome: BatchOutcome = { stored: new Set(), failed: new Map() };
      for (const call of calls) {
        try {
          (await this.writeCalls([call])).forEach((message) => outcome.stored.add(message));
        } catch (callError) {
          outcome.failed.set(call, callError);
        }
      }
      return outcome;
    }
  }

  /** Writes calls in one transaction; publishes what was stored after the commit. */
  private async writeCalls(calls: SaveCall[]): Promise<Set<WaMessage>> {
    const unique = new Map<string, WaMessage>();
    const engine = new Set<WaMessage>();
    const dequeued: WaMessage[] = [];
    const mustOwn = new Set<string>();
    for (const call of calls) {
      if (call.mustOwn && call.source === 'engine') {
        call.messages.forEach((message) => mustOwn.add(message.sessionId));
      }
      for (const message of call.messages) {
        const key = keyOf(message.sessionId, message.id);
        if (!unique.has(key)) {
          unique.set(key, message);
        }
        if (call.source === 'engine') {
          engine.add(unique.get(key) ?? message);
        }
        if (call.dequeue) {
          dequeued.push(message);
        }
      }
    }
    // fencing: what a session's runtime reports is stored only while this process owns it (in a
    // transaction shared with the other fenced writers, the Signal keys)
    const write = (lookup: boolean) =>
      this.commits.commit({
        fenced: [...engine].map((message) => message.sessionId),
        write: async (manager, owned) => {
          // a call whose receipt waits for this write fails (alone: see writeBatch) if fenced out
          const lost = [...mustOwn].find((sessionId) => !owned.has(sessionId));
          if (lost !== undefined) {
            throw new LeaseLost(sessionLease(lost));
          }
          const messages = [...unique.values()].filter(
            (message) => !engine.has(message) || owned.has(message.sessionId),
          );
          const fresh = await this.insertNew(manager, messages, engine, lookup);
          for (const part of chunks(dequeued, LOOKUP_CHUNK)) {
            await manager.delete(QueuedSendEntity, { messageId: In(part.map((m) => m.id)) });
          }
          return fresh;
        },
      });
    let stored: WaMessage[];
    try {
      // almost every message is new (incoming ones, and our own sends, stored only by the send
      // queue since Baileys no longer echoes them): insert without looking first
      stored = await write(false);
    } catch (error) {
      if (!isUniqueViolation(error)) {
        throw error;
      }
      // a redelivery, or another writer stored some of them first: store what is still missing
      stored = await write(true);
    }
    const late: WaStatusUpdate[] = [];
    for (const message of stored) {
      const key = keyOf(message.sessionId, message.id);
      // a receipt stored while this transaction was open, which it could not see
      const receipt = this.earlyReceipts.get(key);
      if (receipt && advances(message.status, receipt.status)) {
        late.push(receipt);
      }
      this.earlyReceipts.delete(key);
      this.events.emit(StoredMessageEvents.Message, {
        sessionId: message.sessionId,
        message,
      } satisfies MessageStoredEvent);
    }
    if (late.length > 0) {
      void this.applyLate(late);
    }
    return new Set(stored);
  }

  /** Stores receipts not seen yet and moves messages forward; resolves with what changed. */
  async saveStatuses(updates: WaStatusUpdate[]): Promise<WaStatusUpdate[]> {
    if (updates.length === 0) {
      return [];
    }
    let applied: { changed: WaStatusUpdate[]; early: WaStatusUpdate[] };
    try {
      applied = await this.dataSource.transaction((manager) =>
        this.applyStatuses(manager, updates),
      );
    } catch (error) {
      if (!isUniqueViolation(error)) {
        throw error;
      }
      applied = await this.dataSource.transaction((manager) =>
        this.applyStatuses(manager, updates),
      );
    }
    const { changed, early } = applied;
    for (const update of early) {
      const key = keyOf(update.sessionId, update.messageId);
      const known = this.earlyReceipts.get(key);
      if (isReceipt(update.status) && (!known || advances(known.status, update.status))) {
        this.earlyReceipts.set(key, update);
      }
    }
    this.emitStatuses(changed);
    return early.length === 0 ? changed : [...changed, ...(await this.applyIfStored(early))];
  }

  /**
   * Early receipts whose message was committed while their transaction was open (invisible to
   * it), and which may have looked for early receipts before these were remembered: applied now.
   */
  private async applyIfStored(early: WaStatusUpdate[]): Promise<WaStatusUpdate[]> {
    let stored: MessageEntity[];
    try {
      stored = await this.dataSource.getRepository(MessageEntity).find({
        select: { messageId: true },
        where: { sessionId: early[0].sessionId, messageId: In(early.map((u) => u.messageId)) },
      });
    } catch (error) {
      this.logger.warn(`late receipts not applied: ${String(error)}`);
      return [];
    }
    const now = new Set(stored.map((row) => row.messageId));
    return this.applyLate(early.filter((update) => now.has(update.messageId)));
  }

  private emitStatuses(changed: WaStatusUpdate[]): void {
    for (const update of changed) {
      this.events.emit(StoredMessageEvents.Status, {
        sessionId: update.sessionId,
        update,
      } satisfies StatusStoredEvent);
    }
  }

  /**
   * Receipts stored before their message, which the message's own transaction did not see (the
   * two were open at once): they move the stored message on now. Their receipt rows are stored,
   * so only the message's status (and its event) can change.
   */
  private async applyLate(updates: WaStatusUpdate[]): Promise<WaStatusUpdate[]> {
    const changed: WaStatusUpdate[] = [];
    const bySession = new Map<string, WaStatusUpdate[]>();
    for (const update of updates) {
      const part = bySession.get(update.sessionId) ?? [];
      part.push(update);
      bySession.set(update.sessionId, part);
    }
    for (const part of bySession.values()) {
      try {
        const applied = await this.dataSource.transaction((manager) =>
          this.applyStatuses(manager, part),
        );
        this.emitStatuses(applied.changed);
        changed.push(...applied.changed);
      } catch (error) {
        // the receipts themselves are stored: the message catches up at its next receipt
        this.logger.warn(`late receipts not applied: ${String(error)}`);
      }
    }
    return changed;
  }

  /**
   * Stores the messages (of any sessions) not stored yet, with their outbox rows: a fixed number
   * of statements per batch, however many sessions it spans. Without `lookup` it assumes that
   * none is stored (a stored one makes the insert fail with a unique violation).
   */
  private async insertNew(
    manager: EntityManager,
    messages: WaMessage[],
    engine: Set<WaMessage>,
    lookup: boolean,
  ): Promise<WaMessage[]> {
    const known = new Set<string>();
    for (const part of lookup ? chunks(messages, LOOKUP_CHUNK) : []) {
      const existing = await manager.find(MessageEntity, {
        select: { sessionId: true, messageId: true },
        where: byIds(part),
      });
      existing.forEach((row) => known.add(`${row.sessionId}\u0000${row.messageId}`));
    }
    const fresh = messages.filter(
      (message) => !known.has(`${message.sessionId}\u0000${message.id}`),
    );
    if (fresh.length === 0) {
      return [];
    }
    await this.applyEarlierReceipts(manager, fresh, engine);
    await insertEntities(manager, MessageEntity, fresh.map(messageRow));
    await this.outbox.record(
      manager,
      fresh.map((message): GatewayEvent => ({
        kind: 'message',
        sessionId: message.sessionId,
        message,
      })),
    );
    return fresh;
  }

  /**
   * A receipt can be stored before our own sent message is: start the message at its status.
   * Engine messages take it from what this process remembers; ingested ones look it up.
   */
  private async applyEarlierReceipts(
    manager: EntityManager,
    messages: WaMessage[],
    engine: Set<WaMessage>,
  ): Promise<void> {
    const own: WaMessage[] = [];
    for (const message of messages.filter((candidate) => candidate.fromMe)) {
      if (!engine.has(message)) {
        own.push(message);
        continue;
      }
      const early = this.earlyReceipts.get(keyOf(message.sessionId, message.id));
      if (early && advances(message.status, early.status)) {
        message.status = early.status;
      }
    }
    if (own.length === 0) {
      return;
    }
    const byKey = new Map(
      own.map((message) => [`${message.sessionId}\u0000${message.id}`, message]),
    );
    for (const part of chunks(own, LOOKUP_CHUNK)) {
      const receipts = await manager.find(MessageStatusEntity, {
        where: byIds(part),
      });
      for (const receipt of receipts) {
        const message = byKey.get(`${receipt.sessionId}\u0000${receipt.messageId}`);
        if (message && advances(message.status, receipt.status)) {
          message.status = receipt.status;
        }
      }
    }
  }

  /** Stores the updates; `early` are the receipts whose message is not stored (yet). */
  private async applyStatuses(
    manager: EntityManager,
    updates: WaStatusUpdate[],
  ): Promise<{ changed: WaStatusUpdate[]; early: WaStatusUpdate[] }> {
    const sessionId = updates[0].sessionId;
    const ids = [...new Set(updates.map((update) => update.messageId))];
    const messages = await manager.find(MessageEntity, {
      select: { id: true, messageId: true, status: true },
      where: { sessionId, messageId: In(ids) },
    });
    const byId = new Map(messages.map((message) => [message.messageId, message]));
    const receipts = await manager.find(MessageStatusEntity, {
      select: { messageId: true, participantJid: true, status: true },
      where: { sessionId, messageId: In(ids) },
    });
    const seen = new Set(receipts.map((r) => `${r.messageId}|${r.participantJid}|${r.status}`));
    const changed: WaStatusUpdate[] = [];
    const early: WaStatusUpdate[] = [];
    const newReceipts: Partial<MessageStatusEntity>[] = [];
    for (const update of updates) {
      let didChange = false;
      const participant = update.participantJid ?? '';
      const receiptKey = `${update.messageId}|${participant}|${update.status}`;
      if (isReceipt(update.status) && !seen.has(receiptKey)) {
        seen.add(receiptKey);
        newReceipts.push({
          sessionId,
          messageId: update.messageId,
          chatJid: update.chatJid,
          participantJid: participant,
          status: update.status,
          eventTimestamp: update.at,
        });
        didChange = true;
      }
      const message = byId.get(update.messageId);
      if (!message && isReceipt(update.status)) {
        early.push(update);
      }
      if (message && advances(message.status, update.status)) {
        message.status = update.status;
        await manager.update(
          MessageEntity,
          { id: message.id },
          { status: update.status, statusAt: update.at },
        );
        didChange = true;
      }
      if (didChange) {
        changed.push(update);
      }
    }
    if (newReceipts.length > 0) {
      await manager.insert(MessageStatusEntity, newReceipts);
    }
    await this.outbox.record(
      manager,
      changed.map((update): GatewayEvent => ({ kind: 'message_status', sessionId, update })),
    );
    return { changed, early };
  }
}

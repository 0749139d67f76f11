import { AsyncResource } from 'node:async_hooks';
import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { BinaryNode, WAMessage, WASocket } from '@whiskeysockets/baileys';
import { LRUCache } from 'lru-cache';
import { rowRefusal } from '../../database/driver-errors';
import {
  ChatPresenceEvent,
  MessageEvents,
  MessagesUpsertedEvent,
  MessageStatusEvent,
} from '../message-events';
import {
  normalizeMessage,
  presenceFromNode,
  statusesFromReceipts,
  statusesFromUpdates,
  statusesInUpsert,
} from './message-normalizer';
import { BaileysSocketHub } from './socket-hub';

/** Messages stored before their receipt, remembered until their `messages.upsert` comes. */
const GATED_MAX = 10_000;

const keyOf = (sessionId: string, messageId: string): string => `${sessionId}\u0000${messageId}`;

/**
 * Turns every session's Baileys message, receipt and presence events into engine events. Per
 * session they are published one at a time, awaiting the persisters, so a receipt is never
 * stored before the message it is about.
 *
 * An incoming message is published earlier, from Baileys' `beforeMessageReceipt` hook, and its
 * delivery receipt waits until the persisters stored it (or failed: then no receipt is sent and
 * WhatsApp delivers it again). Its `messages.upsert` that follows is not published a second time.
 */
@Injectable()
export class BaileysMessageFeed {
  private readonly logger = new Logger('BaileysMessageFeed');
  private readonly chains = new Map<string, Promise<void>>();
  /** Ids (by session) stored before their receipt whose `messages.upsert` has not come yet. */
  private readonly gated = new LRUCache<string, true>({ max: GATED_MAX });
  /**
   * The async context of this constructor: the hook runs inside Baileys' key-store transaction
   * (an AsyncLocalStorage context); storing runs outside it, so nothing it starts (listeners of
   * the stored events) can write keys into a transaction that has committed meanwhile.
   */
  private readonly outside = new AsyncResource('BaileysMessageFeed');

  constructor(
    hub: BaileysSocketHub,
    private readonly events: EventEmitter2,
  ) {
    hub.onSocket((sessionId, socket) => this.subscribe(sessionId, socket));
    hub.gateReceipts((sessionId, socket, message, type) =>
      this.outside.runInAsyncScope(() => this.storeBeforeReceipt(sessionId, socket, message, type)),
    );
  }

  /** Resolves once everything published so far for `sessionId` has been handled. */
  idle(sessionId: string): Promise<void> {
    return this.chains.get(sessionId) ?? Promise.resolve();
  }

  /**
   * Publishes an incoming message (normalized as its `messages.upsert` will be) after what was
   * published before it for the session, and resolves once the persisters stored it; rejects if
   * they failed (database down, or the session's lease moved to another process), except when
   * the database refuses the message's row, which no later delivery would change.
   */
  private async storeBeforeReceipt(
    sessionId: string,
    socket: WASocket,
    message: WAMessage,
    _type: 'notify' | 'append',
  ): Promise<void> {
    const me = { jid: socket.user?.id ?? null, lid: socket.user?.lid ?? null };
    const normalized = normalizeMessage(sessionId, message, me);
    if (!normalized) {
      return;
    }
    try {
      await this.publish<MessagesUpsertedEvent>(sessionId, MessageEvents.Upserted, {
        sessionId,
        messages: [normalized],
        source: 'engine',
        beforeReceipt: true,
      });
    } catch (error) {
      // The database refuses this message's row (a sender-chosen id longer than its column,
      // say): it would be refused at every delivery, and without a receipt WhatsApp delivers it
      // again at every login, each time closing the connection. Acknowledged unstored instead,
      // as Baileys' own order (WA_STORE_BEFORE_RECEIPT=false) would have it; anything else
      // (database away, lease lost) still leaves it unacknowledged for a later delivery.
      // (the code only: the driver's message may quote the refused value, the message's text)
      const refusal = rowRefusal(error);
      if (refusal === undefined) {
        throw error;
      }
      this.logger.error(
        `[${sessionId}] message ${normalized.id.slice(0, 128)} from ${normalized.chatJid} acknowledged without being stored: the database refuses its row (${refusal})`,
      );
    }
    this.gated.set(keyOf(sessionId, normalized.id), true);
  }

  private subscribe(sessionId: string, socket: WASocket): void {
    const me = () => ({ jid: socket.user?.id ?? null, lid: socket.user?.lid ?? null });
    socket.ev.on('messages.upsert', ({ messages }) => {
      const normalized = messages.flatMap((message) => {
        // stored before its receipt: published then
        if (message.key.id && this.gated.delete(keyOf(sessionId, message.key.id))) {
          return [];
        }
        const result = normalizeMessage(sessionId, message, me());
        return result ? [result] : [];
      });
      if (normalized.length > 0) {
        void this.publish<MessagesUpsertedEvent>(sessionId, MessageEvents.Upserted, {
          sessionId,
          messages: normalized,
          source: 'engine',
        });
      }
      this.publishStatuses(
        sessionId,
        messages.flatMap((message) => statusesInUpsert(sessionId, message)),
      );
    });
    socket.ev.on('messages.update', (updates) => {
      this.publishStatuses(sessionId, statusesFromUpdates(sessionId, updates));
    });
    socket.ev.on('message-receipt.update', (receipts) => {
      this.publishStatuses(sessionId, statusesFromReceipts(sessionId, receipts));
    });
    const onPresence = (stanza: BinaryNode) => {
      const presence = presenceFromNode(sessionId, stanza);
      if (presence) {
        void this.publish<ChatPresenceEvent>(sessionId, MessageEvents.Presence, {
          presence,
          source: 'engine',
        });
      }
    };
    socket.ws.on('CB:presence', onPresence);
    socket.ws.on('CB:chatstate', onPresence);
  }

  private publishStatuses(sessionId: string, updates: MessageStatusEvent['updates']): void {
    if (updates.length > 0) {
      void this.publish<MessageStatusEvent>(sessionId, MessageEvents.StatusUpdated, {
        sessionId,
        updates,
        source: 'engine',
      });
    }
  }

  /**
   * Publishes after everything published before for the session. The returned promise settles
   * with the persisters' outcome; a failure is logged and does not stop the events after it.
   */
  private publish<T>(sessionId: string, name: string, payload: T): Promise<void> {
    const previous = this.chains.get(sessionId) ?? Promise.resolve();
    const outcome = previous.then(async () => {
      await this.events.emitAsync(name, payload);
    });
    const next = outcome.then(
      () => undefined,
      (error: unknown) => {
        this.logger.error(
          `[${sessionId}] storing a ${name} event failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
      },
    );
    this.chains.set(sessionId, next);
    void next.then(() => {
      if (this.chains.get(sessionId) === next) {
        this.chains.delete(sessionId);
      }
    });
    return outcome;
  }
}

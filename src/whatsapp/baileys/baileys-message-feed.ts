import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { BinaryNode, WASocket } from '@whiskeysockets/baileys';
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

/**
 * Turns every session's Baileys message, receipt and presence events into engine events. Per
 * session they are published one at a time, awaiting the persisters, so a receipt is never
 * stored before the message it is about.
 */
@Injectable()
export class BaileysMessageFeed {
  private readonly logger = new Logger('BaileysMessageFeed');
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    hub: BaileysSocketHub,
    private readonly events: EventEmitter2,
  ) {
    hub.onSocket((sessionId, socket) => this.subscribe(sessionId, socket));
  }

  /** Resolves once everything published so far for `sessionId` has been handled. */
  idle(sessionId: string): Promise<void> {
    return this.chains.get(sessionId) ?? Promise.resolve();
  }

  private subscribe(sessionId: string, socket: WASocket): void {
    const me = () => ({ jid: socket.user?.id ?? null, lid: socket.user?.lid ?? null });
    socket.ev.on('messages.upsert', ({ messages }) => {
      const normalized = messages.flatMap((message) => {
        const result = normalizeMessage(sessionId, message, me());
        return result ? [result] : [];
      });
      if (normalized.length > 0) {
        this.publish<MessagesUpsertedEvent>(sessionId, MessageEvents.Upserted, {
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
        this.publish<ChatPresenceEvent>(sessionId, MessageEvents.Presence, {
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
      this.publish<MessageStatusEvent>(sessionId, MessageEvents.StatusUpdated, {
        sessionId,
        updates,
        source: 'engine',
      });
    }
  }

  private publish<T>(sessionId: string, name: string, payload: T): void {
    const previous = this.chains.get(sessionId) ?? Promise.resolve();
    const next = previous
      .then(() => this.events.emitAsync(name, payload))
      .then(
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
  }
}

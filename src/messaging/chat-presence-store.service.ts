import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { DataSource, In, LessThanOrEqual, MoreThan } from 'typeorm';
import { EventOutbox } from '../whatsapp/events/event-outbox';
import {
  MessageEvents,
  type ChatPresenceEvent,
  type PresenceState,
  type WaChatPresence,
} from '../whatsapp/message-events';
import { Clock } from './clock';
import { ChatPresenceEntity } from './entities/chat-presence.entity';
import { PresenceStoredEvent, StoredMessageEvents } from './messaging-events';

/** 003: a `composing` with no `paused` after it becomes `paused` 10 s later. */
export const TYPING_TTL_MS = 10_000;
const TYPING: PresenceState[] = ['composing', 'recording'];

/**
 * The persister of chat presences: one current row per (session, chat, participant), with the
 * 003 auto-stop. Rows whose typing expired while the gateway was down are settled at boot.
 */
@Injectable()
export class ChatPresenceStore implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ChatPresenceStore');
  private readonly timers = new Map<string, () => void>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: EventOutbox,
    private readonly events: EventEmitter2,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const settled = await this.settleExpired();
    if (settled > 0) {
      this.logger.log(`settled ${settled} typing state(s) that expired while stopped`);
    }
    const pending = await this.dataSource.getRepository(ChatPresenceEntity).find({
      where: { state: In(TYPING), expiresAt: MoreThan(this.clock.now()) },
    });
    for (const row of pending) {
      this.scheduleAutoStop(row.sessionId, row.chatJid, row.participantJid, row.expiresAt);
    }
  }

  onModuleDestroy(): void {
    for (const cancel of this.timers.values()) {
      cancel();
    }
    this.timers.clear();
  }

  @OnEvent(MessageEvents.Presence, { promisify: true })
  async onPresence(event: ChatPresenceEvent): Promise<void> {
    await this.save(event.presence);
  }

  /** Stores a presence when it changes the participant's state; resolves with whether it did. */
  async save(presence: WaChatPresence): Promise<boolean> {
    const typing = TYPING.includes(presence.state);
    const expiresAt = typing ? new Date(presence.at.getTime() + TYPING_TTL_MS) : null;
    const changed = await this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(ChatPresenceEntity);
      const key = {
        sessionId: presence.sessionId,
        chatJid: presence.chatJid,
        participantJid: presence.participantJid,
      };
      const row = await repository.findOneBy(key);
      if (row && row.state === presence.state) {
        if (typing) {
          // still typing: the auto-stop moves, nobody needs to hear it again
          await repository.update({ id: row.id }, { expiresAt, eventTimestamp: presence.at });
        }
        return false;
      }
      const values = {
        state: presence.state,
        autoStopped: false,
        expiresAt,
        eventTimestamp: presence.at,
      };
      if (row) {
        await repository.update({ id: row.id }, values);
      } else {
        await repository.insert({ ...key, ...values });
      }
      await this.outbox.record(manager, [
        { kind: 'chat_presence', sessionId: presence.sessionId, presence },
      ]);
      return true;
    });
    if (typing) {
      this.scheduleAutoStop(
        presence.sessionId,
        presence.chatJid,
        presence.participantJid,
        expiresAt,
      );
    } else {
      this.cancelAutoStop(presence.sessionId, presence.chatJid, presence.participantJid);
    }
    if (changed) {
      this.publish(presence, false, expiresAt);
    }
    return changed;
  }

  /**
   * Turns every typing state that expired by `now` into `paused` with `auto_stopped`;
   * resolves with how many. Runs from the timers and at boot.
   */
  async settleExpired(now: Date = this.clock.now()): Promise<number> {
    const settled = await this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(ChatPresenceEntity);
      const expired = await repository.find({
        where: { state: In(TYPING), expiresAt: LessThanOrEqual(now) },
      });
      if (expired.length === 0) {
        return [];
      }
      await repository.update(
        { id: In(expired.map((row) => row.id)) },
        { state: 'paused', autoStopped: true },
      );
      const presences = expired.map((row): WaChatPresence => ({
        sessionId: row.sessionId,
        chatJid: row.chatJid,
        participantJid: row.participantJid,
        state: 'paused',
        at: row.expiresAt ?? now,
      }));
      await this.outbox.record(
        manager,
        presences.map((presence) => ({
          kind: 'chat_presence' as const,
          sessionId: presence.sessionId,
          presence,
        })),
      );
      return expired.map((row, index) => ({
        presence: presences[index],
        expiresAt: row.expiresAt,
      }));
    });
    for (const { presence, expiresAt } of settled) {
      this.publish(presence, true, expiresAt);
    }
    return settled.length;
  }

  private publish(presence: WaChatPresence, autoStopped: boolean, expiresAt: Date | null): void {
    this.events.emit(StoredMessageEvents.Presence, {
      sessionId: presence.sessionId,
      presence,
      autoStopped,
      expiresAt,
    } satisfies PresenceStoredEvent);
  }

  private scheduleAutoStop(
    sessionId: string,
    chatJid: string,
    participantJid: string,
    at: Date | null,
  ): void {
    if (!at) {
      return;
    }
    const key = `${sessionId}|${chatJid}|${participantJid}`;
    this.timers.get(key)?.();
    this.timers.set(
      key,
      this.clock.schedule(at, () => {
        this.timers.delete(key);
        this.settleExpired().catch((error: unknown) => {
          this.logger.error(`could not settle expired typing states: ${String(error)}`);
        });
      }),
    );
  }

  private cancelAutoStop(sessionId: string, chatJid: string, participantJid: string): void {
    const key = `${sessionId}|${chatJid}|${participantJid}`;
    this.timers.get(key)?.();
    this.timers.delete(key);
  }
}

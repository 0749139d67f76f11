import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { StoredMessageEvents } from '../messaging/messaging-events';
import type {
  MessageFailedEvent,
  MessageStoredEvent,
  PresenceStoredEvent,
  StatusStoredEvent,
} from '../messaging/messaging-events';
import { receivedMessageView } from '../messaging/message-rows';
import { toSession } from './rooms';
import { SessionsGateway } from './sessions.gateway';

/** Fans stored messages, statuses and presences out to the session's rooms (seed 002 events). */
@Injectable()
export class MessagingEventsRelay {
  constructor(private readonly gateway: SessionsGateway) {}

  @OnEvent(StoredMessageEvents.Message, { suppressErrors: true })
  onMessage(event: MessageStoredEvent): void {
    this.emit(event.sessionId, 'message_received', {
      sessionId: event.sessionId,
      message: receivedMessageView(event.message),
    });
  }

  @OnEvent(StoredMessageEvents.Status, { suppressErrors: true })
  onStatus(event: StatusStoredEvent): void {
    this.emit(event.sessionId, 'message_status', {
      sessionId: event.sessionId,
      messageId: event.update.messageId,
      chat: event.update.chatJid,
      participant: event.update.participantJid,
      status: event.update.status,
      timestamp: event.update.at.toISOString(),
    });
  }

  @OnEvent(StoredMessageEvents.Presence, { suppressErrors: true })
  onPresence(event: PresenceStoredEvent): void {
    this.emit(event.sessionId, 'chat_presence', {
      sessionId: event.sessionId,
      chat: event.presence.chatJid,
      participant: event.presence.participantJid,
      state: event.presence.state,
      autoStopped: event.autoStopped,
      expiresAt: event.expiresAt?.toISOString() ?? null,
      timestamp: event.presence.at.toISOString(),
    });
  }

  @OnEvent(StoredMessageEvents.Failed, { suppressErrors: true })
  onFailed(event: MessageFailedEvent): void {
    this.emit(event.sessionId, 'message_failed', {
      sessionId: event.sessionId,
      messageId: event.messageId,
      to: event.to,
      reason: event.reason,
      timestamp: event.at.toISOString(),
    });
  }

  private emit(sessionId: string, event: string, payload: unknown): void {
    if (this.gateway.server) {
      toSession(this.gateway.server, sessionId).emit(event, payload);
    }
  }
}

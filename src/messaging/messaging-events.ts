import type { WaChatPresence, WaMessage, WaStatusUpdate } from '../whatsapp/message-events';

/**
 * Published on the bus after the change is committed (stored events): the socket.io relay
 * fans them out. Only changes that were really stored are published; a redelivery is not.
 */
export const StoredMessageEvents = {
  Message: 'message.stored',
  Status: 'message_status.stored',
  Presence: 'chat_presence.stored',
  /** A queued message that will not be sent (deadline passed, WhatsApp refused it). */
  Failed: 'message_failed.stored',
} as const;

export interface MessageStoredEvent {
  sessionId: string;
  message: WaMessage;
}

export interface StatusStoredEvent {
  sessionId: string;
  update: WaStatusUpdate;
}

export interface PresenceStoredEvent {
  sessionId: string;
  presence: WaChatPresence;
  autoStopped: boolean;
  expiresAt: Date | null;
}

export interface MessageFailedEvent {
  sessionId: string;
  messageId: string;
  to: string;
  reason: string;
  at: Date;
}

/**
 * The engine's message model: what `src/whatsapp/` makes of Baileys' message, receipt and
 * presence events, and what the webhook ingest makes of 003 payloads. Persisted by the messaging
 * module; reported to socket.io and webhooks from there.
 */

export const MESSAGE_TYPES = [
  'text',
  'image',
  'video',
  'audio',
  'document',
  'sticker',
  'location',
  'contact',
  'reaction',
  'poll',
  'edit',
  'revoke',
  'unknown',
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** Ordered: a message's current status only moves forward along this list. */
export const MESSAGE_STATUSES = ['pending', 'sent', 'delivered', 'read', 'played'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number] | 'failed';

export interface MediaInfo {
  mimetype: string | null;
  fileName: string | null;
  fileLength: number | null;
  /** Seconds, for audio and video. */
  seconds: number | null;
  /** True for a voice note. */
  ptt: boolean;
  caption: string | null;
  /** What a later download needs (url, directPath, mediaKey, ...): opaque to everyone but whatsapp/. */
  downloadable: Record<string, unknown> | null;
}

export interface WaMessage {
  /** WhatsApp's message id (unique per session). */
  id: string;
  sessionId: string;
  /** The chat: a user JID, a group JID, or a LID. */
  chatJid: string;
  /** Who wrote it (in groups the participant; our own JID when fromMe). */
  senderJid: string;
  /** Digits only, when the sender's phone number is known (never invented from a LID). */
  senderPhone: string | null;
  fromMe: boolean;
  isGroup: boolean;
  pushName: string | null;
  type: MessageType;
  /** Text, or the caption of a media message. */
  text: string | null;
  quotedId: string | null;
  /** For reactions, edits and revokes: the message they act on. */
  targetId: string | null;
  mentions: string[];
  media: MediaInfo | null;
  timestamp: Date;
  /** The message content as WhatsApp's protobuf JSON (003's `Message` object). */
  content: Record<string, unknown>;
  status: MessageStatus;
}

export interface WaStatusUpdate {
  sessionId: string;
  messageId: string;
  chatJid: string;
  /** Who delivered or read it (the recipient's device JID), when known. */
  participantJid: string | null;
  status: MessageStatus;
  at: Date;
}

export const PRESENCE_STATES = [
  'composing',
  'recording',
  'paused',
  'available',
  'unavailable',
] as const;
export type PresenceState = (typeof PRESENCE_STATES)[number];

export interface WaChatPresence {
  sessionId: string;
  chatJid: string;
  participantJid: string;
  state: PresenceState;
  at: Date;
}

/** Engine events, published by the sources (Baileys sessions, webhook ingest). */
export const MessageEvents = {
  /** `MessagesUpsertedEvent`: new messages, inbound or our own (sent here or from the phone). */
  Upserted: 'message.upserted',
  /** `MessageStatusEvent`: delivery/read receipts and send failures. */
  StatusUpdated: 'message.status_updated',
  /** `ChatPresenceEvent`: typing, recording, paused, online. */
  Presence: 'chat.presence',
} as const;

export interface MessagesUpsertedEvent {
  sessionId: string;
  messages: WaMessage[];
  source: 'engine' | 'ingest';
  /**
   * Published before WhatsApp is told the messages were delivered: the persister must reject
   * unless they are stored (or were already), e.g. when this process no longer owns the session.
   */
  beforeReceipt?: boolean;
}

export interface MessageStatusEvent {
  sessionId: string;
  updates: WaStatusUpdate[];
  source: 'engine' | 'ingest';
}

export interface ChatPresenceEvent {
  presence: WaChatPresence;
  source: 'engine' | 'ingest';
}

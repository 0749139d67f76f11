import { clipTo } from '../database/column-text';
import type { WaMessage } from '../whatsapp/message-events';
import type { MessageEntity } from './entities/message.entity';

/**
 * The `whatsapp_messages` row of an engine message. What the sender chose freely (push name,
 * file name, MIME type, ids it refers to) is cut to its column: a row MySQL refuses could never
 * be stored, and an inbound message not stored is never acknowledged (WhatsApp sends it again
 * and again). The full values stay in `content`.
 */
export function messageRow(message: WaMessage): Partial<MessageEntity> {
  const { media } = message;
  return {
    sessionId: message.sessionId,
    messageId: message.id,
    chatJid: message.chatJid,
    senderJid: message.senderJid,
    senderPhone: message.senderPhone,
    fromMe: message.fromMe,
    isGroup: message.isGroup,
    pushName: clipTo(message.pushName, 255),
    type: message.type,
    text: message.text,
    quotedId: clipTo(message.quotedId, 128),
    targetId: clipTo(message.targetId, 128),
    mentions: message.mentions.length > 0 ? message.mentions : null,
    mediaMimetype: clipTo(media?.mimetype ?? null, 255),
    mediaFileName: clipTo(media?.fileName ?? null, 255),
    mediaFileLength: media?.fileLength ?? null,
    mediaSeconds: media?.seconds ?? null,
    mediaPtt: media ? media.ptt : null,
    mediaDownload: media?.downloadable ?? null,
    content: message.content,
    status: message.status,
    messageTimestamp: message.timestamp,
    statusAt: null,
  };
}

/** The media part of 002's `message_received` payload and of the REST views. */
export interface MediaView {
  mimetype: string | null;
  fileName: string | null;
  fileLength: number | null;
  seconds: number | null;
  ptt: boolean;
}

/** 002's `message_received.message`. */
export interface ReceivedMessageView {
  id: string;
  from: string;
  chat: string;
  text: string | null;
  type: string;
  isGroup: boolean;
  pushName: string | null;
  timestamp: string;
  fromMe: boolean;
  senderPhone: string | null;
  quotedId?: string;
  targetId?: string;
  mentions?: string[];
  media?: MediaView;
}

export function receivedMessageView(message: WaMessage): ReceivedMessageView {
  const view: ReceivedMessageView = {
    id: message.id,
    from: message.senderJid,
    chat: message.chatJid,
    text: message.text,
    type: message.type,
    isGroup: message.isGroup,
    pushName: message.pushName,
    timestamp: message.timestamp.toISOString(),
    fromMe: message.fromMe,
    senderPhone: message.senderPhone,
  };
  if (message.quotedId) {
    view.quotedId = message.quotedId;
  }
  if (message.targetId) {
    view.targetId = message.targetId;
  }
  if (message.mentions.length > 0) {
    view.mentions = message.mentions;
  }
  if (message.media) {
    const { mimetype, fileName, fileLength, seconds, ptt } = message.media;
    view.media = { mimetype, fileName, fileLength, seconds, ptt };
  }
  return view;
}

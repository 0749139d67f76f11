import type {
  MediaInfo,
  MessageStatus,
  MessageType,
  WaChatPresence,
  WaMessage,
  WaStatusUpdate,
} from '../../whatsapp/message-events';
import { MalformedWebhookEvent } from '../webhook-errors';
import {
  bareJid,
  Fields,
  isObject,
  objectAt,
  optionalBoolean,
  optionalString,
  optionalTimestamp,
  phoneOfJid,
  stringAt,
  timestampAt,
} from './ingest-fields';

const MEDIA_KINDS: Record<string, MessageType> = {
  imageMessage: 'image',
  videoMessage: 'video',
  audioMessage: 'audio',
  documentMessage: 'document',
  documentWithCaptionMessage: 'document',
  stickerMessage: 'sticker',
};
const OTHER_KINDS: Record<string, MessageType> = {
  conversation: 'text',
  extendedTextMessage: 'text',
  locationMessage: 'location',
  liveLocationMessage: 'location',
  contactMessage: 'contact',
  contactsArrayMessage: 'contact',
  reactionMessage: 'reaction',
  pollCreationMessage: 'poll',
  pollCreationMessageV3: 'poll',
  editedMessage: 'edit',
};
// WhatsApp's ProtocolMessage.Type
const PROTOCOL_REVOKE = 0;
const PROTOCOL_EDIT = 14;

function asFields(value: unknown): Fields | null {
  return isObject(value) ? value : null;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function num(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) {
    return value;
  }
  return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : null;
}

function mediaOf(node: Fields): MediaInfo {
  const {
    mimetype,
    fileName,
    fileLength,
    seconds,
    PTT,
    ptt,
    caption,
    url,
    URL,
    directPath,
    mediaKey,
    fileSHA256,
    fileEncSHA256,
  } = node;
  return {
    mimetype: str(mimetype),
    fileName: str(fileName),
    fileLength: num(fileLength),
    seconds: num(seconds),
    ptt: ptt === true || PTT === true,
    caption: str(caption),
    downloadable: { url: url ?? URL, directPath, mediaKey, fileSHA256, fileEncSHA256 },
  };
}

interface ContentFacts {
  type: MessageType;
  text: string | null;
  quotedId: string | null;
  targetId: string | null;
  mentions: string[];
  media: MediaInfo | null;
}

/** What the WhatsApp message content (protobuf JSON, 003's `Message`) says. */
export function contentFacts(content: Fields): ContentFacts {
  const facts: ContentFacts = {
    type: 'unknown',
    text: null,
    quotedId: null,
    targetId: null,
    mentions: [],
    media: null,
  };
  const inner =
    asFields(asFields(content.documentWithCaptionMessage)?.message)?.documentMessage ?? null;
  for (const [key, kind] of Object.entries(MEDIA_KINDS)) {
    const node = key === 'documentWithCaptionMessage' ? asFields(inner) : asFields(content[key]);
    if (node) {
      facts.type = kind;
      facts.media = mediaOf(node);
      facts.text = facts.media.caption;
      applyContext(facts, node);
      return facts;
    }
  }
  for (const [key, kind] of Object.entries(OTHER_KINDS)) {
    const node = content[key];
    if (node === undefined || node === null) {
      continue;
    }
    facts.type = kind;
    const fields = asFields(node);
    if (key === 'conversation') {
      facts.text = str(node);
    } else if (key === 'extendedTextMessage' && fields) {
      facts.text = str(fields.text);
      applyContext(facts, fields);
    } else if (key === 'reactionMessage' && fields) {
      facts.text = str(fields.text);
      facts.targetId = str(asFields(fields.key)?.id);
    } else if (key === 'editedMessage' && fields) {
      const protocol = asFields(asFields(fields.message)?.protocolMessage);
      facts.targetId = str(asFields(protocol?.key)?.id);
    }
    return facts;
  }
  const protocol = asFields(content.protocolMessage);
  if (protocol) {
    const type = num(protocol.type);
    if (type === PROTOCOL_REVOKE || protocol.type === 'REVOKE') {
      facts.type = 'revoke';
    } else if (type === PROTOCOL_EDIT || protocol.type === 'MESSAGE_EDIT') {
      facts.type = 'edit';
      const edited = asFields(protocol.editedMessage);
      facts.text = str(edited?.conversation) ?? str(asFields(edited?.extendedTextMessage)?.text);
    }
    facts.targetId = str(asFields(protocol.key)?.id);
  }
  return facts;
}

function applyContext(facts: ContentFacts, node: Fields): void {
  const context = asFields(node.contextInfo);
  if (!context) {
    return;
  }
  facts.quotedId = str(context.stanzaId);
  if (Array.isArray(context.mentionedJid)) {
    facts.mentions = context.mentionedJid.filter((jid): jid is string => typeof jid === 'string');
  }
}

/** 003 `Message` (`event.Info` + `event.Message`) → the engine's WaMessage. */
export function messageFrom003(sessionId: string, event: Fields): WaMessage {
  const info = objectAt(event, 'Info', 'event');
  const path = 'event.Info';
  const content = event.Message === undefined || event.Message === null ? {} : event.Message;
  if (!isObject(content)) {
    throw new MalformedWebhookEvent('event.Message must be an object');
  }
  const chatJid = stringAt(info, 'Chat', path);
  const senderJid = stringAt(info, 'Sender', path);
  const facts = contentFacts(content);
  const fromMe = optionalBoolean(info, 'IsFromMe', path) ?? false;
  return {
    id: stringAt(info, 'ID', path),
    sessionId,
    chatJid,
    senderJid,
    senderPhone: phoneOfJid(senderJid),
    fromMe,
    isGroup: optionalBoolean(info, 'IsGroup', path) ?? chatJid.endsWith('@g.us'),
    pushName: optionalString(info, 'PushName', path),
    ...facts,
    timestamp: timestampAt(info, 'Timestamp', path),
    content,
    status: fromMe ? 'sent' : 'delivered',
  };
}

const RECEIPT_STATUS: Record<string, MessageStatus> = {
  '': 'delivered',
  delivered: 'delivered',
  read: 'read',
  'read-self': 'read',
  played: 'played',
  'played-self': 'played',
  sender: 'sent',
};

/** 003 `ReadReceipt` → one WaStatusUpdate per message id; null for receipt types we do not track. */
export function statusUpdatesFrom003(
  sessionId: string,
  event: Fields,
  state: unknown,
): WaStatusUpdate[] | null {
  const path = 'event';
  const ids = event.MessageIDs;
  if (
    !Array.isArray(ids) ||
    ids.length === 0 ||
    !ids.every((id) => typeof id === 'string' && id.length > 0)
  ) {
    throw new MalformedWebhookEvent('event.MessageIDs must be a non-empty list of message ids');
  }
  const type = event.Type;
  if (type !== undefined && typeof type !== 'string') {
    throw new MalformedWebhookEvent('event.Type must be a string');
  }
  const fromState = typeof state === 'string' ? state.toLowerCase() : undefined;
  const status = RECEIPT_STATUS[type ?? fromState ?? ''];
  if (!status) {
    return null;
  }
  const chatJid = stringAt(event, 'Chat', path);
  const participant = optionalString(event, 'Sender', path);
  const at = timestampAt(event, 'Timestamp', path);
  return (ids as string[]).map((messageId) => ({
    sessionId,
    messageId,
    chatJid,
    participantJid: participant,
    status,
    at,
  }));
}

/** 003 `ChatPresence` (typing) → WaChatPresence. `Media: "audio"` is recording. */
export function chatPresenceFrom003(
  sessionId: string,
  event: Fields,
  now: Date = new Date(),
): WaChatPresence {
  const path = 'event';
  const state = stringAt(event, 'State', path);
  if (state !== 'composing' && state !== 'paused') {
    throw new MalformedWebhookEvent('event.State must be "composing" or "paused"');
  }
  const media = optionalString(event, 'Media', path);
  return {
    sessionId,
    chatJid: stringAt(event, 'Chat', path),
    participantJid: stringAt(event, 'Sender', path),
    state: state === 'composing' && media === 'audio' ? 'recording' : state,
    at: optionalTimestamp(event, 'Timestamp', path) ?? now,
  };
}

/** 003 `Presence` (online/offline of a contact) → WaChatPresence of that contact's chat. */
export function presenceFrom003(
  sessionId: string,
  event: Fields,
  now: Date = new Date(),
): WaChatPresence {
  const path = 'event';
  const from = bareJid(stringAt(event, 'From', path));
  const unavailable = optionalBoolean(event, 'Unavailable', path) ?? false;
  return {
    sessionId,
    chatJid: from,
    participantJid: from,
    state: unavailable ? 'unavailable' : 'available',
    at: optionalTimestamp(event, 'Timestamp', path) ?? now,
  };
}

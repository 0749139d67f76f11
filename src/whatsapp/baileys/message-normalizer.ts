import {
  getContentType,
  isJidGroup,
  isJidNewsletter,
  isJidStatusBroadcast,
  isPnUser,
  jidDecode,
  jidNormalizedUser,
  normalizeMessageContent,
  proto,
  type BinaryNode,
  type MessageUserReceiptUpdate,
  type WAMessage,
  type WAMessageUpdate,
} from '@whiskeysockets/baileys';
import type {
  MediaInfo,
  MessageStatus,
  MessageType,
  PresenceState,
  WaChatPresence,
  WaMessage,
  WaStatusUpdate,
} from '../message-events';

/** The linked account, as far as the socket knows it. */
export interface OwnIdentity {
  jid: string | null;
  lid: string | null;
}

const MEDIA_KINDS = {
  imageMessage: 'image',
  videoMessage: 'video',
  audioMessage: 'audio',
  documentMessage: 'document',
  stickerMessage: 'sticker',
} as const satisfies Partial<Record<keyof proto.IMessage, MessageType>>;
type MediaKey = keyof typeof MEDIA_KINDS;

const STATUS_BY_PROTO: Record<number, MessageStatus> = {
  [proto.WebMessageInfo.Status.ERROR]: 'failed',
  [proto.WebMessageInfo.Status.PENDING]: 'pending',
  [proto.WebMessageInfo.Status.SERVER_ACK]: 'sent',
  [proto.WebMessageInfo.Status.DELIVERY_ACK]: 'delivered',
  [proto.WebMessageInfo.Status.READ]: 'read',
  [proto.WebMessageInfo.Status.PLAYED]: 'played',
};

const CONVERSION: protobufConversion = { longs: Number, bytes: String, enums: String };
type protobufConversion = Parameters<typeof proto.Message.toObject>[1];

function toDate(seconds: unknown, fallback = new Date()): Date {
  const value = Number(seconds ?? 0);
  return value > 0 ? new Date(value * 1000) : fallback;
}

/** Digits of a phone-number JID (`628…@s.whatsapp.net`, devices included); null for a LID or group. */
export function phoneOfJid(jid: string | null | undefined): string | null {
  if (!jid || !isPnUser(jid)) {
    return null;
  }
  return jidDecode(jid)?.user ?? null;
}

/** What gets no row: status broadcasts, newsletters, and messages with nothing in them. */
function isIgnoredChat(jid: string | null | undefined): boolean {
  return !jid || Boolean(isJidStatusBroadcast(jid)) || Boolean(isJidNewsletter(jid));
}

function bytesToBase64(value: unknown): string | null {
  if (value instanceof Uint8Array) {
    return Buffer.from(value).toString('base64');
  }
  return typeof value === 'string' ? value : null;
}

function mediaInfo(key: MediaKey, media: NonNullable<proto.IMessage[MediaKey]>): MediaInfo {
  const withName = media as { fileName?: string | null; caption?: string | null };
  const withSeconds = media as { seconds?: number | null; ptt?: boolean | null };
  return {
    mimetype: media.mimetype ?? null,
    fileName: withName.fileName ?? null,
    fileLength:
      media.fileLength === null || media.fileLength === undefined ? null : Number(media.fileLength),
    seconds: withSeconds.seconds ?? null,
    ptt: Boolean(withSeconds.ptt),
    caption: withName.caption ?? null,
    downloadable: {
      mediaType: MEDIA_KINDS[key],
      url: media.url ?? null,
      directPath: media.directPath ?? null,
      mediaKey: bytesToBase64(media.mediaKey),
      fileEncSha256: bytesToBase64(media.fileEncSha256),
      fileSha256: bytesToBase64(media.fileSha256),
    },
  };
}

interface Parsed {
  type: MessageType;
  text: string | null;
  targetId: string | null;
  media: MediaInfo | null;
  context: proto.IContextInfo | null | undefined;
}

/** The message kind and its human part; null for what is not a message (003 "pesan kosong"). */
function parseContent(content: proto.IMessage): Parsed | null {
  const kind = getContentType(content);
  if (!kind) {
    return null;
  }
  const base = { targetId: null, media: null, context: null };
  switch (kind) {
    case 'conversation':
      return content.conversation?.trim()
        ? { ...base, type: 'text', text: content.conversation }
        : null;
    case 'extendedTextMessage': {
      const text = content.extendedTextMessage?.text ?? '';
      return text.trim()
        ? { ...base, type: 'text', text, context: content.extendedTextMessage?.contextInfo }
        : null;
    }
    case 'imageMessage':
    case 'videoMessage':
    case 'audioMessage':
    case 'documentMessage':
    case 'stickerMessage': {
      const media = content[kind];
      if (!media) {
        return null;
      }
      const info = mediaInfo(kind, media);
      return {
        type: MEDIA_KINDS[kind],
        text: info.caption,
        targetId: null,
        media: info,
        context: media.contextInfo,
      };
    }
    case 'locationMessage':
    case 'liveLocationMessage': {
      const location = content.locationMessage ?? content.liveLocationMessage;
      const named = content.locationMessage;
      const text =
        [named?.name, named?.address].filter(Boolean).join(', ') ||
        `${location?.degreesLatitude ?? 0},${location?.degreesLongitude ?? 0}`;
      return { ...base, type: 'location', text, context: location?.contextInfo };
    }
    case 'contactMessage':
      return {
        ...base,
        type: 'contact',
        text: content.contactMessage?.displayName ?? null,
        context: content.contactMessage?.contextInfo,
      };
    case 'contactsArrayMessage':
      return { ...base, type: 'contact', text: content.contactsArrayMessage?.displayName ?? null };
    case 'reactionMessage':
      return {
        ...base,
        type: 'reaction',
        text: content.reactionMessage?.text ?? '',
        targetId: content.reactionMessage?.key?.id ?? null,
      };
    case 'pollCreationMessage':
    case 'pollCreationMessageV2':
    case 'pollCreationMessageV3': {
      const poll = content[kind];
      return { ...base, type: 'poll', text: poll?.name ?? null, context: poll?.contextInfo };
    }
    case 'protocolMessage':
      return parseProtocol(content.protocolMessage);
    default:
      return { ...base, type: 'unknown', text: null };
  }
}

/** Revokes and edits are kept (they act on a stored message); other protocol messages are not. */
function parseProtocol(protocol: proto.Message.IProtocolMessage | null | undefined): Parsed | null {
  const targetId = protocol?.key?.id ?? null;
  if (!protocol || !targetId) {
    return null;
  }
  if (protocol.type === proto.Message.ProtocolMessage.Type.REVOKE) {
    return { type: 'revoke', text: null, targetId, media: null, context: null };
  }
  if (protocol.type === proto.Message.ProtocolMessage.Type.MESSAGE_EDIT) {
    const edited = normalizeMessageContent(protocol.editedMessage ?? undefined);
    const text =
      edited?.conversation ??
      edited?.extendedTextMessage?.text ??
      edited?.imageMessage?.caption ??
      edited?.videoMessage?.caption ??
      null;
    return { type: 'edit', text, targetId, media: null, context: null };
  }
  return null;
}

/**
 * One Baileys message as the engine's `WaMessage`, or null when it is nothing to store:
 * status broadcasts, newsletters, empty texts, and protocol messages other than edits and revokes.
 */
export function normalizeMessage(
  sessionId: string,
  message: WAMessage,
  me: OwnIdentity,
): WaMessage | null {
  const { key } = message;
  const chatJid = key.remoteJid;
  if (!key.id || !chatJid || isIgnoredChat(chatJid)) {
    return null;
  }
  const content = normalizeMessageContent(message.message ?? undefined);
  const parsed = content ? parseContent(content) : null;
  if (!content || !parsed) {
    return null;
  }
  const isGroup = Boolean(isJidGroup(chatJid));
  const fromMe = Boolean(key.fromMe);
  const senderJid = fromMe
    ? me.jid
      ? jidNormalizedUser(me.jid)
      : chatJid
    : jidNormalizedUser((isGroup ? key.participant : chatJid) ?? chatJid);
  const alternative = isGroup ? key.participantAlt : key.remoteJidAlt;
  const senderPhone = phoneOfJid(senderJid) ?? (fromMe ? null : phoneOfJid(alternative));
  const status: MessageStatus = fromMe
    ? (STATUS_BY_PROTO[message.status ?? proto.WebMessageInfo.Status.SERVER_ACK] ?? 'sent')
    : 'delivered';
  return {
    id: key.id,
    sessionId,
    chatJid,
    senderJid,
    senderPhone,
    fromMe,
    isGroup,
    pushName: fromMe ? null : (message.pushName ?? null),
    type: parsed.type,
    text: parsed.text,
    quotedId: parsed.context?.stanzaId ?? null,
    targetId: parsed.targetId,
    mentions: parsed.context?.mentionedJid ?? [],
    media: parsed.media,
    timestamp: toDate(message.messageTimestamp),
    content: proto.Message.toObject(proto.Message.fromObject(content), CONVERSION),
    status,
  };
}

/** `messages.update` entries that carry a status (delivery/read/played receipts, send errors). */
export function statusesFromUpdates(
  sessionId: string,
  updates: WAMessageUpdate[],
  now = new Date(),
): WaStatusUpdate[] {
  const result: WaStatusUpdate[] = [];
  for (const { key, update } of updates) {
    const status =
      update.status === null || update.status === undefined
        ? undefined
        : STATUS_BY_PROTO[update.status];
    if (!status || !key.id || !key.remoteJid || isIgnoredChat(key.remoteJid)) {
      continue;
    }
    result.push({
      sessionId,
      messageId: key.id,
      chatJid: key.remoteJid,
      participantJid: key.participant ? jidNormalizedUser(key.participant) : null,
      status,
      at: toDate(update.messageTimestamp, now),
    });
  }
  return result;
}

/** `message-receipt.update` (group receipts, one per participant). */
export function statusesFromReceipts(
  sessionId: string,
  receipts: MessageUserReceiptUpdate[],
  now = new Date(),
): WaStatusUpdate[] {
  const result: WaStatusUpdate[] = [];
  for (const { key, receipt } of receipts) {
    if (!key.id || !key.remoteJid || isIgnoredChat(key.remoteJid)) {
      continue;
    }
    const entries: [MessageStatus, unknown][] = [
      ['delivered', receipt.receiptTimestamp],
      ['read', receipt.readTimestamp],
      ['played', receipt.playedTimestamp],
    ];
    for (const [status, seconds] of entries) {
      if (seconds !== null && seconds !== undefined) {
        result.push({
          sessionId,
          messageId: key.id,
          chatJid: key.remoteJid,
          participantJid: receipt.userJid ? jidNormalizedUser(receipt.userJid) : null,
          status,
          at: toDate(seconds, now),
        });
      }
    }
  }
  return result;
}

/**
 * A `<presence>` or `<chatstate>` node. Read from the node, not from `presence.update`: Baileys
 * reports a typing `paused` as `available` there, which is also what "online" looks like.
 */
export function presenceFromNode(
  sessionId: string,
  stanza: BinaryNode,
  now = new Date(),
): WaChatPresence | null {
  const chatJid = stanza.attrs.from;
  if (isIgnoredChat(chatJid) || !chatJid.includes('@')) {
    return null;
  }
  let state: PresenceState;
  if (stanza.tag === 'presence') {
    state = stanza.attrs.type === 'unavailable' ? 'unavailable' : 'available';
  } else {
    const [first] = Array.isArray(stanza.content) ? stanza.content : [];
    if (!first) {
      return null;
    }
    if (first.tag === 'paused') {
      state = 'paused';
    } else if (first.tag === 'composing') {
      state = first.attrs.media === 'audio' ? 'recording' : 'composing';
    } else {
      return null;
    }
  }
  return {
    sessionId,
    chatJid,
    participantJid: jidNormalizedUser(stanza.attrs.participant ?? chatJid),
    state,
    at: now,
  };
}

/**
 * Receipts Baileys merged into an upsert of our own message while it buffered events (its
 * `status` and `userReceipt`), as the status updates they would otherwise have been.
 */
export function statusesInUpsert(
  sessionId: string,
  message: WAMessage,
  now = new Date(),
): WaStatusUpdate[] {
  const { key } = message;
  if (!key.fromMe || !key.id || !key.remoteJid || isIgnoredChat(key.remoteJid)) {
    return [];
  }
  const updates = statusesFromReceipts(
    sessionId,
    (message.userReceipt ?? []).map((receipt) => ({ key, receipt })),
    now,
  );
  const status =
    message.status === null || message.status === undefined
      ? undefined
      : STATUS_BY_PROTO[message.status];
  if (status === 'delivered' || status === 'read' || status === 'played') {
    updates.push({
      sessionId,
      messageId: key.id,
      chatJid: key.remoteJid,
      participantJid: null,
      status,
      at: now,
    });
  }
  return updates;
}

import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { MediaKind, MessageRef, OutgoingContent, QuotedMessage } from '../whatsapp/messenger';
import type { SendMessageDto, SendType } from './dto/send-message.dto';
import { MessageEntity } from './entities/message.entity';
import { MediaSource, type LoadedMedia, type UploadedMedia } from './media-source.service';
import { BadSendRequest, MessageNotFound, NotOwnMessage } from './messaging-errors';
import type { Recipient } from './recipient-resolver.service';
import { RecipientResolver } from './recipient-resolver.service';

export interface ComposedMessage {
  type: SendType;
  content: OutgoingContent;
  quoted?: QuotedMessage;
}

function refOf(row: MessageEntity): MessageRef {
  return {
    id: row.messageId,
    chatJid: row.chatJid,
    fromMe: row.fromMe,
    participantJid: row.isGroup && !row.fromMe ? row.senderJid : null,
  };
}

const MEDIA_TYPES = new Set<SendType>(['image', 'document', 'video', 'audio']);

/** vCard 3.0 with WhatsApp's `waid` so the card opens a chat. */
function vcardOf(fullName: string, phone: string, organization?: string): string {
  const escape = (value: string) => value.replace(/([,;\\])/g, '\\$1').replace(/\n/g, '\\n');
  return [
    'BEGIN:VCARD',
    'VERSION:3.0',
    `FN:${escape(fullName)}`,
    ...(organization ? [`ORG:${escape(organization)}`] : []),
    `TEL;type=CELL;type=VOICE;waid=${phone}:+${phone}`,
    'END:VCARD',
  ].join('\n');
}

/** Turns a send request into the engine's content: checks fields, finds the messages it acts on. */
@Injectable()
export class MessageComposer {
  constructor(
    @InjectRepository(MessageEntity) private readonly messages: Repository<MessageEntity>,
    private readonly recipients: RecipientResolver,
    private readonly media: MediaSource,
  ) {}

  async findStored(sessionId: string, messageId: string): Promise<MessageEntity> {
    const row = await this.messages.findOneBy({ sessionId, messageId });
    if (!row) {
      throw new MessageNotFound(messageId);
    }
    return row;
  }

  async compose(
    sessionId: string,
    recipient: Recipient,
    request: SendMessageDto,
    upload?: UploadedMedia,
  ): Promise<ComposedMessage> {
    const type = request.type ?? (upload ? 'document' : 'text');
    const quoted = request.quotedMessageId
      ? await this.quoted(sessionId, request.quotedMessageId)
      : undefined;
    const content = await this.content(sessionId, recipient, type, request, upload);
    return { type, content, quoted };
  }

  private async content(
    sessionId: string,
    recipient: Recipient,
    type: SendType,
    request: SendMessageDto,
    upload: UploadedMedia | undefined,
  ): Promise<OutgoingContent> {
    if (upload && !MEDIA_TYPES.has(type)) {
      throw new BadSendRequest(
        'file',
        `a file can only be sent as image, document, video or audio`,
      );
    }
    switch (type) {
      case 'text':
        return {
          kind: 'text',
          text: this.required(request.message, 'message', 'the text to send'),
          mentions: await this.mentions(sessionId, request.mentions),
        };
      case 'location': {
        const location = request.location;
        if (!location) {
          throw new BadSendRequest('location', 'location {latitude, longitude} is required');
        }
        return { kind: 'location', ...location };
      }
      case 'contact': {
        const card = request.contact;
        if (!card) {
          throw new BadSendRequest('contact', 'contact {fullName, phoneNumber} is required');
        }
        const phone = this.recipients.phoneOf(card.phoneNumber);
        if (!phone) {
          throw new BadSendRequest('contact.phoneNumber', 'must be a phone number');
        }
        return {
          kind: 'contact',
          displayName: card.fullName,
          vcard: vcardOf(card.fullName, phone, card.organization),
        };
      }
      case 'reaction': {
        const target = await this.target(sessionId, recipient, request, 'reacted to');
        return { kind: 'reaction', target: refOf(target), emoji: request.emoji ?? '' };
      }
      case 'edit': {
        const target = await this.target(sessionId, recipient, request, 'edited');
        if (!target.fromMe) {
          throw new NotOwnMessage('edited');
        }
        const text = this.required(request.message, 'message', 'the new text');
        return { kind: 'edit', target: refOf(target), text };
      }
      case 'delete': {
        const target = await this.target(sessionId, recipient, request, 'deleted');
        if (!target.fromMe) {
          throw new NotOwnMessage('deleted');
        }
        return { kind: 'revoke', target: refOf(target) };
      }
      case 'image':
      case 'document':
      case 'video':
      case 'audio':
        return this.mediaContent(sessionId, type, request, upload);
      default: {
        const unreachable: never = type;
        throw new BadSendRequest('type', `unknown type ${String(unreachable)}`);
      }
    }
  }

  private async mediaContent(
    sessionId: string,
    mediaType: MediaKind,
    request: SendMessageDto,
    upload: UploadedMedia | undefined,
  ): Promise<OutgoingContent> {
    if (upload && request.media) {
      throw new BadSendRequest('media', 'give either media or an uploaded file, not both');
    }
    let loaded: LoadedMedia;
    if (upload) {
      loaded = this.media.fromUpload(upload);
    } else if (request.media) {
      loaded = await this.media.load(request.media);
    } else {
      throw new BadSendRequest(
        'media',
        `media (an http(s) URL, base64 or a path inside MEDIA_DIR) or a file upload is required for ${mediaType}`,
      );
    }
    const mimetype = await this.mimetypeOf(mediaType, request, loaded);
    const caption = mediaType === 'audio' ? undefined : (request.caption ?? request.message);
    return {
      kind: 'media',
      mediaType,
      data: loaded.data,
      mimetype,
      fileName: request.fileName ?? loaded.fileName,
      caption: caption || undefined,
      ptt: mediaType === 'audio' ? Boolean(request.ptt) : undefined,
      mentions: caption ? await this.mentions(sessionId, request.mentions) : undefined,
    };
  }

  /** The given mimetype, else the one the bytes show, else the one the source declared. */
  private async mimetypeOf(
    mediaType: MediaKind,
    request: SendMessageDto,
    loaded: LoadedMedia,
  ): Promise<string> {
    let mimetype =
      request.mimetype?.trim() || (await this.media.sniff(loaded.data)) || loaded.declaredMimetype;
    if (!mimetype) {
      if (mediaType !== 'document') {
        throw new BadSendRequest(
          'mimetype',
          `the ${mediaType}'s type could not be detected: give its mimetype`,
        );
      }
      mimetype = 'application/octet-stream';
    }
    if (mediaType === 'audio' && request.ptt && /^(audio|application)\/ogg$/i.test(mimetype)) {
      // WhatsApp plays voice notes as Opus in Ogg
      mimetype = 'audio/ogg; codecs=opus';
    }
    return mimetype;
  }

  private required(value: string | undefined, field: string, what: string): string {
    if (!value?.trim()) {
      throw new BadSendRequest(field, `${field} (${what}) is required`);
    }
    return value;
  }

  private async target(
    sessionId: string,
    recipient: Recipient,
    request: SendMessageDto,
    action: string,
  ): Promise<MessageEntity> {
    if (!request.messageId) {
      throw new BadSendRequest('messageId', `messageId (the message to be ${action}) is required`);
    }
    const row = await this.findStored(sessionId, request.messageId);
    if (row.chatJid !== recipient.jid) {
      throw new BadSendRequest('messageId', `message ${request.messageId} is not in this chat`);
    }
    return row;
  }

  private async quoted(sessionId: string, messageId: string): Promise<QuotedMessage> {
    const row = await this.findStored(sessionId, messageId);
    return { ...refOf(row), content: (row.content ?? {}) as Record<string, unknown> };
  }

  private async mentions(
    sessionId: string,
    mentions: string[] | undefined,
  ): Promise<string[] | undefined> {
    if (!mentions?.length) {
      return undefined;
    }
    const jids: string[] = [];
    for (const mention of mentions) {
      jids.push((await this.recipients.resolve(sessionId, mention, 'mentions')).jid);
    }
    return jids;
  }
}

import { SessionOwnership } from '../../cluster/session-ownership';
import { Injectable } from '@nestjs/common';
import {
  jidDecode,
  proto,
  type AnyMessageContent,
  type WAMessage,
  type WAMessageKey,
  type WASocket,
} from '@whiskeysockets/baileys';
import type { WaMessage } from '../message-events';
import {
  Messenger,
  SessionSocketUnavailable,
  type MessageRef,
  type NumberLookup,
  type OutgoingContent,
  type ProfileInfo,
  type QuotedMessage,
} from '../messenger';
import { normalizeMessage } from './message-normalizer';
import { BaileysSocketHub } from './socket-hub';

function keyOf(ref: MessageRef): WAMessageKey {
  return {
    remoteJid: ref.chatJid,
    id: ref.id,
    fromMe: ref.fromMe,
    participant: ref.participantJid ?? undefined,
  };
}

/** Our content model as Baileys' `AnyMessageContent`; link previews stay off. */
function baileysContent(content: OutgoingContent): AnyMessageContent {
  switch (content.kind) {
    case 'text':
      return { text: content.text, mentions: content.mentions, linkPreview: null };
    case 'media': {
      const common = { mimetype: content.mimetype, mentions: content.mentions };
      switch (content.mediaType) {
        case 'image':
          return { image: content.data, caption: content.caption, ...common };
        case 'video':
          return { video: content.data, caption: content.caption, ...common };
        case 'audio':
          return { audio: content.data, ptt: Boolean(content.ptt), mimetype: content.mimetype };
        case 'document':
          return {
            document: content.data,
            fileName: content.fileName ?? 'file',
            caption: content.caption,
            ...common,
          };
        default: {
          const unreachable: never = content.mediaType;
          throw new Error(`unknown media type ${String(unreachable)}`);
        }
      }
    }
    case 'location':
      return {
        location: {
          degreesLatitude: content.latitude,
          degreesLongitude: content.longitude,
          name: content.name,
          address: content.address,
        },
      };
    case 'contact':
      return {
        contacts: {
          displayName: content.displayName,
          contacts: [{ displayName: content.displayName, vcard: content.vcard }],
        },
      };
    case 'reaction':
      return { react: { text: content.emoji, key: keyOf(content.target) } };
    case 'edit':
      return { text: content.text, edit: keyOf(content.target), linkPreview: null };
    case 'revoke':
      return { delete: keyOf(content.target) };
    default: {
      const unreachable: never = content;
      throw new Error(`unknown content ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Sends over the session's current Baileys socket (see `BaileysSocketHub`). */
@Injectable()
export class BaileysMessenger extends Messenger {
  constructor(
    private readonly hub: BaileysSocketHub,
    private readonly ownership: SessionOwnership,
  ) {
    super();
  }

  async send(
    sessionId: string,
    jid: string,
    content: OutgoingContent,
    options: { quoted?: QuotedMessage; messageId?: string } = {},
  ): Promise<WaMessage> {
    const socket = this.socket(sessionId);
    const quoted: WAMessage | undefined = options.quoted
      ? {
          key: keyOf(options.quoted),
          message: proto.Message.fromObject(options.quoted.content),
        }
      : undefined;
    const sent = await socket.sendMessage(jid, baileysContent(content), {
      quoted,
      messageId: options.messageId,
    });
    if (!sent) {
      throw new Error('WhatsApp did not return the sent message');
    }
    const me = { jid: socket.user?.id ?? null, lid: socket.user?.lid ?? null };
    const message = normalizeMessage(sessionId, sent, me);
    if (!message) {
      throw new Error('the sent message could not be read back');
    }
    // relayed to the server: from here on receipts move it forward
    message.status = message.status === 'pending' ? 'sent' : message.status;
    return message;
  }

  async lookup(sessionId: string, phones: string[]): Promise<NumberLookup[]> {
    const socket = this.socket(sessionId);
    const found = new Map<string, string>();
    const results = (await socket.onWhatsApp(...phones)) ?? [];
    for (const result of results) {
      const user = jidDecode(result.jid)?.user;
      if (user && result.exists) {
        found.set(user, result.jid);
      }
    }
    return phones.map((phone) => {
      const jid = found.get(phone) ?? null;
      return { phone, exists: jid !== null, jid };
    });
  }

  async profile(sessionId: string, jid: string): Promise<ProfileInfo> {
    const socket = this.socket(sessionId);
    const [status, pictureUrl, business] = await Promise.all([
      socket.fetchStatus(jid).catch(() => undefined),
      socket.profilePictureUrl(jid, 'image').catch(() => undefined),
      socket.getBusinessProfile(jid).catch(() => undefined),
    ]);
    const about = (status?.[0]?.status as { status?: string | null } | undefined)?.status ?? null;
    return {
      name: null,
      status: about,
      pictureUrl: pictureUrl ?? null,
      business: business
        ? {
            description: business.description ?? null,
            category: business.category ?? null,
            email: business.email ?? null,
            website: business.website ?? [],
          }
        : null,
    };
  }

  async sendTyping(sessionId: string, jid: string, typing: boolean): Promise<void> {
    await this.socket(sessionId).sendPresenceUpdate(typing ? 'composing' : 'paused', jid);
  }

  async markRead(sessionId: string, messages: MessageRef[]): Promise<void> {
    await this.socket(sessionId).readMessages(messages.map(keyOf));
  }

  private socket(sessionId: string): WASocket {
    const socket = this.hub.socketOf(sessionId);
    // fencing: a process that may have lost the session's lease (paused past it) sends nothing
    if (!socket?.user || !this.ownership.holds(sessionId)) {
      throw new SessionSocketUnavailable(sessionId);
    }
    return socket;
  }
}

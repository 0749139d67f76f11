import type { WaMessage } from './message-events';

/** A stored message another one acts on (reply, reaction, edit, revoke, read mark). */
export interface MessageRef {
  id: string;
  chatJid: string;
  fromMe: boolean;
  /** The sender in a group chat. */
  participantJid?: string | null;
}

/** A message being replied to: its key and content (as stored, WhatsApp's protobuf JSON). */
export interface QuotedMessage extends MessageRef {
  content: Record<string, unknown>;
}

export type MediaKind = 'image' | 'video' | 'audio' | 'document';

export type OutgoingContent =
  | { kind: 'text'; text: string; mentions?: string[] }
  | {
      kind: 'media';
      mediaType: MediaKind;
      data: Buffer;
      mimetype: string;
      fileName?: string;
      caption?: string;
      ptt?: boolean;
      mentions?: string[];
    }
  | { kind: 'location'; latitude: number; longitude: number; name?: string; address?: string }
  | { kind: 'contact'; displayName: string; vcard: string }
  | { kind: 'reaction'; target: MessageRef; emoji: string }
  | { kind: 'edit'; target: MessageRef; text: string }
  | { kind: 'revoke'; target: MessageRef };

export interface NumberLookup {
  /** Digits only, as asked. */
  phone: string;
  exists: boolean;
  jid: string | null;
}

export interface ProfileInfo {
  name: string | null;
  status: string | null;
  pictureUrl: string | null;
  business: {
    description: string | null;
    category: string | null;
    email: string | null;
    website: string[];
  } | null;
}

/** The session has no open WhatsApp socket in this process. */
export class SessionSocketUnavailable extends Error {
  constructor(readonly sessionId: string) {
    super(`session ${sessionId} has no open WhatsApp connection`);
    this.name = 'SessionSocketUnavailable';
  }
}

/**
 * Sends and asks things over a session's WhatsApp connection. The DI token feature modules use;
 * the Baileys implementation lives in `baileys/`.
 */
export abstract class Messenger {
  /** Sends `content` to `jid`; resolves with the sent message as the store keeps it. */
  abstract send(
    sessionId: string,
    jid: string,
    content: OutgoingContent,
    options?: { quoted?: QuotedMessage; messageId?: string },
  ): Promise<WaMessage>;
  /** Which of these numbers (digits) are on WhatsApp. */
  abstract lookup(sessionId: string, phones: string[]): Promise<NumberLookup[]>;
  abstract profile(sessionId: string, jid: string): Promise<ProfileInfo>;
  abstract sendTyping(sessionId: string, jid: string, typing: boolean): Promise<void>;
  abstract markRead(sessionId: string, messages: MessageRef[]): Promise<void>;
}

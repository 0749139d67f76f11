import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Not, Repository } from 'typeorm';
import {
  DomainError,
  InvalidPhoneNumber,
  SessionNotConnected,
} from '../common/errors/domain-errors';
import { Messenger, SessionSocketUnavailable } from '../whatsapp/messenger';
import type { MessageRef } from '../whatsapp/messenger';
import type { NumberCheckDto, ProfileInfoDto, ReadMessagesDto } from './dto/check-number.dto';
import type { SendMessageDto, SentMessageDto } from './dto/send-message.dto';
import { MessageEntity } from './entities/message.entity';
import type { UploadedMedia } from './media-source.service';
import { MessageComposer } from './message-composer.service';
import { MessageStore } from './message-store.service';
import { BadSendRequest, WhatsAppFailed } from './messaging-errors';
import { RecipientResolver } from './recipient-resolver.service';
import { SendQueue } from './send-queue.service';
import { SessionGate } from './session-gate.service';

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Commands on a session's WhatsApp account (REST and socket.io share them): send, check
 * numbers, profile info, typing, read marks.
 */
@Injectable()
export class MessagingService {
  private readonly logger = new Logger('MessagingService');

  constructor(
    private readonly gate: SessionGate,
    private readonly recipients: RecipientResolver,
    private readonly composer: MessageComposer,
    private readonly queue: SendQueue,
    private readonly messenger: Messenger,
    private readonly store: MessageStore,
    @InjectRepository(MessageEntity) private readonly messages: Repository<MessageEntity>,
  ) {}

  async send(
    sessionId: string,
    request: SendMessageDto,
    upload?: UploadedMedia,
  ): Promise<SentMessageDto> {
    await this.gate.assertConnected(sessionId);
    const recipient = await this.guard('check the recipient', () =>
      this.recipients.resolve(sessionId, request.to),
    );
    const composed = await this.composer.compose(sessionId, recipient, request, upload);
    const message = await this.queue.submit(sessionId, recipient.jid, composed);
    return {
      messageId: message.id,
      to: request.to,
      chatJid: message.chatJid,
      type: composed.type,
      message: message.text,
      status: message.status,
      timestamp: message.timestamp.toISOString(),
    };
  }

  async checkNumbers(sessionId: string, phoneNumbers: string[]): Promise<NumberCheckDto[]> {
    await this.gate.assertConnected(sessionId);
    const normalized = phoneNumbers.map((input) => this.recipients.phoneOf(input));
    const valid = normalized.filter((phone): phone is string => phone !== null);
    const lookups = await this.guard('check the numbers', () =>
      this.recipients.check(sessionId, valid),
    );
    const byPhone = new Map(lookups.map((lookup) => [lookup.phone, lookup]));
    return phoneNumbers.map((phoneNumber, index) => {
      const phone = normalized[index];
      const lookup = phone ? byPhone.get(phone) : undefined;
      return {
        phoneNumber,
        normalized: phone,
        exists: lookup?.exists ?? false,
        jid: lookup?.jid ?? null,
      };
    });
  }

  async checkNumber(sessionId: string, phoneNumber: string): Promise<NumberCheckDto> {
    if (!this.recipients.phoneOf(phoneNumber)) {
      throw new InvalidPhoneNumber();
    }
    const [result] = await this.checkNumbers(sessionId, [phoneNumber]);
    return result;
  }

  async profile(sessionId: string, phoneNumber: string): Promise<ProfileInfoDto> {
    await this.gate.assertConnected(sessionId);
    const phone = this.recipients.phoneOf(phoneNumber);
    if (!phone) {
      throw new InvalidPhoneNumber();
    }
    const { jid } = await this.guard('check the number', () =>
      this.recipients.resolve(sessionId, phone, 'phoneNumber'),
    );
    const info = await this.guard('fetch the profile', () =>
      this.messenger.profile(sessionId, jid),
    );
    const seen = await this.messages.findOne({
      select: { pushName: true },
      where: { sessionId, senderJid: jid, pushName: Not(IsNull()) },
      order: { messageTimestamp: 'DESC' },
    });
    return { phoneNumber: phone, jid, ...info, name: seen?.pushName ?? info.name };
  }

  async typing(
    sessionId: string,
    to: string,
    isTyping: boolean,
  ): Promise<{ to: string; jid: string; isTyping: boolean }> {
    await this.gate.assertConnected(sessionId);
    const { jid } = await this.guard('check the recipient', () =>
      this.recipients.resolve(sessionId, to),
    );
    await this.guard('send the typing state', () =>
      this.messenger.sendTyping(sessionId, jid, isTyping),
    );
    return { to, jid, isTyping };
  }

  async read(sessionId: string, request: ReadMessagesDto): Promise<{ read: string[] }> {
    await this.gate.assertConnected(sessionId);
    const refs: MessageRef[] = [];
    if (request.messageKey) {
      const key = request.messageKey;
      refs.push({
        id: key.id,
        chatJid: key.remoteJid,
        fromMe: Boolean(key.fromMe),
        participantJid: key.participant ?? null,
      });
    }
    const ids = [...(request.messageIds ?? []), ...(request.messageId ? [request.messageId] : [])];
    for (const id of ids) {
      const row = await this.composer.findStored(sessionId, id);
      refs.push({
        id: row.messageId,
        chatJid: row.chatJid,
        fromMe: row.fromMe,
        participantJid: row.isGroup ? row.senderJid : null,
      });
    }
    if (refs.length === 0) {
      throw new BadSendRequest('messageKey', 'messageKey, messageId or messageIds is required');
    }
    await this.guard('mark the messages read', () => this.messenger.markRead(sessionId, refs));
    const at = new Date();
    await this.store.saveStatuses(
      refs
        .filter((ref) => !ref.fromMe)
        .map((ref) => ({
          sessionId,
          messageId: ref.id,
          chatJid: ref.chatJid,
          participantJid: null,
          status: 'read' as const,
          at,
        })),
    );
    return { read: refs.map((ref) => ref.id) };
  }

  /** Runs a WhatsApp call; a lost connection or a WhatsApp error becomes a clear 400/503. */
  private async guard<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof SessionSocketUnavailable) {
        throw new SessionNotConnected('connecting');
      }
      if (error instanceof DomainError) {
        throw error;
      }
      this.logger.warn(`could not ${what}: ${reasonOf(error)}`);
      throw new WhatsAppFailed(what, reasonOf(error));
    }
  }
}

import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { flatten } from '../common/http/validation';
import { MessageKeyDto, ReadMessagesDto, TypingDto } from '../messaging/dto/check-number.dto';
import { SocketSendMessageDto } from '../messaging/dto/send-message.dto';
import { MessagingService } from '../messaging/messaging.service';
import { BadPayload, optionalString, sessionIdFrom } from './ws-payloads';

type Constructor<T> = new () => T;

/** A client payload checked like a REST body; a bad field is a failure that names it. */
function validated<T extends object>(type: Constructor<T>, payload: unknown): T {
  const instance = plainToInstance(type, payload ?? {});
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    const fields = flatten(errors);
    const details = fields.map((field) => field.messages.join(', ')).join('; ');
    throw new BadPayload(`Validation failed: ${details}`);
  }
  return instance;
}

function requiredString(payload: unknown, field: string): string {
  const value = optionalString(payload, field);
  if (!value?.trim()) {
    throw new BadPayload(`${field} is required`);
  }
  return value;
}

export interface SocketReply {
  message: string;
  data: unknown;
  /** The documented reply event and its payload. */
  event: string;
  payload: unknown;
}

/** Seed 002's messaging client events, as calls to the messaging service. */
@Injectable()
export class MessagingSocketCommands {
  constructor(private readonly messaging: MessagingService) {}

  async send(payload: unknown): Promise<SocketReply> {
    const sessionId = sessionIdFrom(payload);
    const { sessionId: _ignored, ...request } = validated(SocketSendMessageDto, payload);
    const sent = await this.messaging.send(sessionId, request);
    return {
      message: 'Message sent',
      data: sent,
      event: 'message_sent',
      payload: {
        sessionId,
        to: request.to,
        message: request.message ?? null,
        messageId: sent.messageId,
        type: sent.type,
        timestamp: sent.timestamp,
        status: sent.status,
      },
    };
  }

  async checkPhone(payload: unknown): Promise<SocketReply> {
    const sessionId = sessionIdFrom(payload);
    const phoneNumber = requiredString(payload, 'phoneNumber');
    const result = await this.messaging.checkNumber(sessionId, phoneNumber);
    return {
      message: 'Phone number checked',
      data: result,
      event: 'phone_check_result',
      payload: { sessionId, phoneNumber, exists: result.exists, jid: result.jid },
    };
  }

  async profile(payload: unknown): Promise<SocketReply> {
    const sessionId = sessionIdFrom(payload);
    const phoneNumber = requiredString(payload, 'phoneNumber');
    const profileInfo = await this.messaging.profile(sessionId, phoneNumber);
    return {
      message: 'Profile info retrieved successfully',
      data: profileInfo,
      event: 'profile_info',
      payload: { sessionId, phoneNumber, profileInfo },
    };
  }

  async typing(payload: unknown): Promise<SocketReply> {
    const sessionId = sessionIdFrom(payload);
    const { to, isTyping } = validated(TypingDto, withoutSession(payload));
    const data = await this.messaging.typing(sessionId, to, isTyping);
    return {
      message: 'Typing indicator sent',
      data,
      event: 'typing_sent',
      payload: { sessionId, ...data },
    };
  }

  async read(payload: unknown): Promise<SocketReply> {
    const sessionId = sessionIdFrom(payload);
    const request = validated(ReadMessagesDto, withoutSession(payload));
    if (request.messageKey && !(request.messageKey instanceof MessageKeyDto)) {
      throw new BadPayload('messageKey must be an object {remoteJid, id, fromMe}');
    }
    const data = await this.messaging.read(sessionId, request);
    return {
      message: 'Messages marked as read',
      data,
      event: 'message_read',
      payload: { sessionId, ...data },
    };
  }
}

function withoutSession(payload: unknown): unknown {
  if (typeof payload !== 'object' || payload === null) {
    return payload;
  }
  const { sessionId: _sessionId, ...rest } = payload as Record<string, unknown>;
  return rest;
}

import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Between, FindOperator, In, LessThanOrEqual, MoreThanOrEqual, Repository } from 'typeorm';
import type { PageMeta } from '../common/http/envelope';
import { pageMeta, pageRequest } from '../common/http/pagination';
import type {
  V1ChatPresencesQueryDto,
  V1MessagesQueryDto,
  V1MessageStatusesQueryDto,
  V1StoreQueryDto,
} from './dto/v1-messaging-query.dto';
import type {
  V1ChatPresenceDto,
  V1MessageDto,
  V1MessageStatusDto,
} from './dto/v1-messaging-view.dto';
import { ChatPresenceEntity } from './entities/chat-presence.entity';
import { MessageEntity } from './entities/message.entity';
import { MessageStatusEntity } from './entities/message-status.entity';

export interface Page<T> {
  data: T[];
  meta: PageMeta;
}

function timeRange(query: V1StoreQueryDto): FindOperator<Date> | undefined {
  const from = query.from ? new Date(query.from) : undefined;
  const to = query.to ? new Date(query.to) : undefined;
  if (from && to) {
    return Between(from, to);
  }
  if (from) {
    return MoreThanOrEqual(from);
  }
  return to ? LessThanOrEqual(to) : undefined;
}

/** Drops the filters that were not given, so TypeORM does not match them against NULL. */
/** A scoped key lists only its own sessions' rows (CONTRACT §3, README "Access control"). */
function within(visible: string[] | undefined): FindOperator<string> | undefined {
  return visible ? In(visible) : undefined;
}

function defined<T extends object>(where: T): T {
  return Object.fromEntries(Object.entries(where).filter(([, value]) => value !== undefined)) as T;
}

export function v1Message(row: MessageEntity): V1MessageDto {
  return {
    id: Number(row.id),
    user_token: row.sessionId,
    message_id: row.messageId,
    chat_jid: row.chatJid,
    sender_jid: row.senderJid,
    sender_phone: row.senderPhone,
    is_from_me: row.fromMe,
    is_group: row.isGroup,
    push_name: row.pushName,
    type: row.type,
    text: row.text,
    quoted_id: row.quotedId,
    target_id: row.targetId,
    mentions: row.mentions ?? [],
    media_mimetype: row.mediaMimetype,
    media_file_name: row.mediaFileName,
    media_file_length: row.mediaFileLength,
    status: row.status,
    timestamp: row.messageTimestamp.toISOString(),
    status_at: row.statusAt?.toISOString() ?? null,
    message: row.content as Record<string, unknown> | null,
    created_at: row.createdAt.toISOString(),
  };
}

function v1Status(row: MessageStatusEntity): V1MessageStatusDto {
  return {
    id: Number(row.id),
    user_token: row.sessionId,
    message_id: row.messageId,
    chat_jid: row.chatJid,
    participant_jid: row.participantJid || null,
    status: row.status,
    event_timestamp: row.eventTimestamp.toISOString(),
    created_at: row.createdAt.toISOString(),
  };
}

function v1Presence(row: ChatPresenceEntity): V1ChatPresenceDto {
  return {
    id: Number(row.id),
    user_token: row.sessionId,
    chat_jid: row.chatJid,
    sender_jid: row.participantJid,
    state: row.state,
    auto_stopped: row.autoStopped,
    expires_at: row.expiresAt?.toISOString() ?? null,
    event_timestamp: row.eventTimestamp.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/** Seed 003's read APIs over the message store: filtered, newest first, paginated. */
@Injectable()
export class MessageQueries {
  constructor(
    @InjectRepository(MessageEntity) private readonly messages: Repository<MessageEntity>,
    @InjectRepository(MessageStatusEntity)
    private readonly statuses: Repository<MessageStatusEntity>,
    @InjectRepository(ChatPresenceEntity)
    private readonly presences: Repository<ChatPresenceEntity>,
  ) {}

  async messagePage(
    query: V1MessagesQueryDto,
    visible: string[] | undefined,
  ): Promise<Page<V1MessageDto>> {
    const request = pageRequest(query);
    const [rows, total] = await this.messages.findAndCount({
      where: defined({
        sessionId: query.user_token ?? within(visible),
        chatJid: query.chat_jid,
        messageId: query.message_id,
        type: query.type,
        fromMe: query.from_me,
        messageTimestamp: timeRange(query),
      }),
      order: { messageTimestamp: 'DESC', id: 'DESC' },
      skip: request.skip,
      take: request.perPage,
    });
    return { data: rows.map(v1Message), meta: pageMeta(request, total) };
  }

  async statusPage(
    query: V1MessageStatusesQueryDto,
    visible: string[] | undefined,
  ): Promise<Page<V1MessageStatusDto>> {
    const request = pageRequest(query);
    const [rows, total] = await this.statuses.findAndCount({
      where: defined({
        sessionId: query.user_token ?? within(visible),
        chatJid: query.chat_jid,
        messageId: query.message_id,
        status: query.status,
        eventTimestamp: timeRange(query),
      }),
      order: { eventTimestamp: 'DESC', id: 'DESC' },
      skip: request.skip,
      take: request.perPage,
    });
    return { data: rows.map(v1Status), meta: pageMeta(request, total) };
  }

  async presencePage(
    query: V1ChatPresencesQueryDto,
    visible: string[] | undefined,
  ): Promise<Page<V1ChatPresenceDto>> {
    const request = pageRequest(query);
    const [rows, total] = await this.presences.findAndCount({
      where: defined({
        sessionId: query.user_token ?? within(visible),
        chatJid: query.chat_jid,
        state: query.state,
        eventTimestamp: timeRange(query),
      }),
      order: { eventTimestamp: 'DESC', id: 'DESC' },
      skip: request.skip,
      take: request.perPage,
    });
    return { data: rows.map(v1Presence), meta: pageMeta(request, total) };
  }
}

import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { PageMeta } from '../common/http/envelope';
import { pageMeta, pageRequest, PaginationQueryDto } from '../common/http/pagination';
import type { ChatMessageDto, ChatSummaryDto } from './dto/chat.dto';
import { MessageEntity } from './entities/message.entity';

interface ChatAggregate {
  chatJid: string;
  isGroup: number | boolean | string;
  lastAt: string | Date;
  total: number | string;
  unread: number | string | null;
}

function chatMessage(row: MessageEntity): ChatMessageDto {
  return {
    id: row.messageId,
    from: row.senderJid,
    chat: row.chatJid,
    text: row.text,
    type: row.type,
    isGroup: row.isGroup,
    fromMe: row.fromMe,
    pushName: row.pushName,
    senderPhone: row.senderPhone,
    quotedId: row.quotedId,
    status: row.status,
    timestamp: row.messageTimestamp.toISOString(),
  };
}

/** Chats as the message store sees them: last message, unread count, history. */
@Injectable()
export class ChatsService {
  constructor(
    @InjectRepository(MessageEntity) private readonly messages: Repository<MessageEntity>,
  ) {}

  async list(
    sessionId: string,
    query: PaginationQueryDto,
  ): Promise<{ data: ChatSummaryDto[]; meta: PageMeta }> {
    const request = pageRequest(query);
    const base = this.messages
      .createQueryBuilder('m')
      .where('m.session_id = :sessionId', { sessionId });
    const total = Number(
      (
        (await base.clone().select('COUNT(DISTINCT m.chat_jid)', 'count').getRawOne()) as {
          count: string | number;
        }
      ).count,
    );
    const chats = await base
      .clone()
      .select('m.chat_jid', 'chatJid')
      .addSelect('MAX(m.is_group)', 'isGroup')
      .addSelect('MAX(m.message_timestamp)', 'lastAt')
      .addSelect('COUNT(*)', 'total')
      .addSelect(
        "SUM(CASE WHEN m.from_me = 0 AND m.status <> 'read' AND m.type NOT IN ('reaction', 'edit', 'revoke') THEN 1 ELSE 0 END)",
        'unread',
      )
      .groupBy('m.chat_jid')
      .orderBy('lastAt', 'DESC')
      .offset(request.skip)
      .limit(request.perPage)
      .getRawMany<ChatAggregate>();
    const data: ChatSummaryDto[] = [];
    for (const chat of chats) {
      const last = await this.messages.findOne({
        where: { sessionId, chatJid: chat.chatJid },
        order: { messageTimestamp: 'DESC', id: 'DESC' },
      });
      data.push({
        chatJid: chat.chatJid,
        isGroup: chat.isGroup === true || Number(chat.isGroup) === 1,
        messageCount: Number(chat.total),
        unreadCount: Number(chat.unread ?? 0),
        lastMessage: last ? chatMessage(last) : null,
      });
    }
    return { data, meta: pageMeta(request, total) };
  }

  async history(
    sessionId: string,
    chatJid: string,
    query: PaginationQueryDto,
  ): Promise<{ data: ChatMessageDto[]; meta: PageMeta }> {
    const request = pageRequest(query);
    const [rows, total] = await this.messages.findAndCount({
      where: { sessionId, chatJid },
      order: { messageTimestamp: 'DESC', id: 'DESC' },
      skip: request.skip,
      take: request.perPage,
    });
    return { data: rows.map(chatMessage), meta: pageMeta(request, total) };
  }
}

import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { paged, PagedEnvelope } from '../common/http/envelope';
import { PaginationQueryDto } from '../common/http/pagination';
import { ApiEnvelope } from '../docs/api-envelope.decorator';
import { ApiErrors, ApiKeyAuth } from '../docs/api-docs.decorators';
import { SessionParam } from '../sessions/session-param.pipe';
import type { WhatsappSessionEntity } from '../whatsapp/whatsapp-session.entity';
import { ChatsService } from './chats.service';
import { ChatMessageDto, ChatSummaryDto } from './dto/chat.dto';

@ApiTags('Messaging')
@ApiKeyAuth()
@Controller('sessions/:id/chats')
export class ChatsController {
  constructor(private readonly chats: ChatsService) {}

  @Get()
  @ApiOperation({ summary: 'Chats with their last message and unread count (from the store)' })
  @ApiParam({ name: 'id', description: 'Session id', example: 'sales-1' })
  @ApiEnvelope(ChatSummaryDto, {
    message: 'Chats retrieved successfully',
    isArray: true,
    paged: true,
  })
  @ApiErrors(400, 404)
  async list(
    @SessionParam() session: WhatsappSessionEntity,
    @Query() query: PaginationQueryDto,
  ): Promise<PagedEnvelope<ChatSummaryDto>> {
    const { data, meta } = await this.chats.list(session.sessionId, query);
    return paged('Chats retrieved successfully', data, meta);
  }

  @Get(':jid/messages')
  @ApiOperation({ summary: "A chat's stored messages, newest first" })
  @ApiParam({ name: 'id', description: 'Session id', example: 'sales-1' })
  @ApiParam({ name: 'jid', description: 'Chat JID', example: '6281233784490@s.whatsapp.net' })
  @ApiEnvelope(ChatMessageDto, {
    message: 'Chat messages retrieved successfully',
    isArray: true,
    paged: true,
  })
  @ApiErrors(400, 404)
  async history(
    @SessionParam() session: WhatsappSessionEntity,
    @Param('jid') jid: string,
    @Query() query: PaginationQueryDto,
  ): Promise<PagedEnvelope<ChatMessageDto>> {
    const { data, meta } = await this.chats.history(session.sessionId, jid, query);
    return paged('Chat messages retrieved successfully', data, meta);
  }
}

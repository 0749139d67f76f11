import { VisibleSessions } from '../access/request-principal';
import { Controller, Get, Param, Query, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { paged, PagedEnvelope } from '../common/http/envelope';
import { ApiEnvelope } from '../docs/api-envelope.decorator';
import { ApiErrors, ApiKeyAuth } from '../docs/api-docs.decorators';
import {
  V1ChatPresencesQueryDto,
  V1MessagesQueryDto,
  V1MessageStatusesQueryDto,
} from './dto/v1-messaging-query.dto';
import { V1ChatPresenceDto, V1MessageDto, V1MessageStatusDto } from './dto/v1-messaging-view.dto';
import { MessageMedia } from './message-media.service';
import { MessageQueries } from './message-queries.service';

/** Seed 003's event store: stored messages, delivery/read statuses and typing presences. */
@ApiTags('Event store (v1)')
@ApiKeyAuth()
@Controller('api/v1')
export class V1MessagingController {
  constructor(
    private readonly queries: MessageQueries,
    private readonly media: MessageMedia,
  ) {}

  @Get('messages')
  @ApiOperation({ summary: 'Stored messages, newest first (filters: user_token, chat_jid, ...)' })
  @ApiEnvelope(V1MessageDto, {
    message: 'Messages retrieved successfully',
    isArray: true,
    paged: true,
  })
  @ApiErrors(400)
  async messages(
    @Query() query: V1MessagesQueryDto,
    @VisibleSessions() visible: string[] | undefined,
  ): Promise<PagedEnvelope<V1MessageDto>> {
    const { data, meta } = await this.queries.messagePage(query, visible);
    return paged('Messages retrieved successfully', data, meta);
  }

  @Get('messages/:rowId/media')
  @ApiOperation({
    summary:
      "A stored message's image, video, audio or document, downloaded from WhatsApp and decrypted",
    description:
      'Streams the file with its Content-Type and a Content-Disposition with its file name (and its Content-Length when served from the MEDIA_AUTO_DOWNLOAD copy; otherwise chunked, as the stored length is only what the sender claimed). WhatsApp keeps media for a limited time: older media answers 410.',
  })
  @ApiParam({
    name: 'rowId',
    description: "The message's row id: `id` in GET /api/v1/messages",
    example: '42',
  })
  @ApiProduces('application/octet-stream', 'image/*', 'video/*', 'audio/*')
  @ApiOkResponse({
    description: 'The decrypted file',
    content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiErrors(404, 410, 502)
  async mediaFile(
    @Param('rowId') rowId: string,
    @VisibleSessions() visible: string[] | undefined,
  ): Promise<StreamableFile> {
    return this.media.file(rowId, visible);
  }

  @Get('message-statuses')
  @ApiOperation({ summary: 'Delivery and read receipts of messages (seed 003)' })
  @ApiEnvelope(V1MessageStatusDto, {
    message: 'Message statuses retrieved successfully',
    isArray: true,
    paged: true,
  })
  @ApiErrors(400)
  async statuses(
    @Query() query: V1MessageStatusesQueryDto,
    @VisibleSessions() visible: string[] | undefined,
  ): Promise<PagedEnvelope<V1MessageStatusDto>> {
    const { data, meta } = await this.queries.statusPage(query, visible);
    return paged('Message statuses retrieved successfully', data, meta);
  }

  @Get('chat-presences')
  @ApiOperation({
    summary: 'Typing states per chat participant, with the 10 s auto-stop (seed 003)',
  })
  @ApiEnvelope(V1ChatPresenceDto, {
    message: 'Chat presences retrieved successfully',
    isArray: true,
    paged: true,
  })
  @ApiErrors(400)
  async presences(
    @Query() query: V1ChatPresencesQueryDto,
    @VisibleSessions() visible: string[] | undefined,
  ): Promise<PagedEnvelope<V1ChatPresenceDto>> {
    const { data, meta } = await this.queries.presencePage(query, visible);
    return paged('Chat presences retrieved successfully', data, meta);
  }
}

import { VisibleSessions } from '../access/request-principal';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Envelope, ok, paged, PagedEnvelope } from '../common/http/envelope';
import { ApiEnvelope } from '../docs/api-envelope.decorator';
import { ApiErrors, ApiKeyAuth } from '../docs/api-docs.decorators';
import { V1SessionDto, V1SessionQrDto, V1SessionsQueryDto } from './dto/v1-session.dto';
import { SessionParam } from './session-param.pipe';
import { SessionsService } from './sessions.service';
import type { WhatsappSessionEntity } from '../whatsapp/whatsapp-session.entity';

/** Seed 003's event-store view of sessions (snake_case, paginated). */
@ApiTags('Event store (v1)')
@ApiKeyAuth()
@Controller('api/v1/sessions')
export class V1SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get()
  @ApiOperation({ summary: 'List WhatsApp sessions (paginated, seed 003 shape)' })
  @ApiEnvelope(V1SessionDto, {
    message: 'Sessions retrieved successfully',
    isArray: true,
    paged: true,
  })
  @ApiErrors(400)
  async list(
    @Query() query: V1SessionsQueryDto,
    @VisibleSessions() visible: string[] | undefined,
  ): Promise<PagedEnvelope<V1SessionDto>> {
    const { data, meta } = await this.sessions.v1List(query, visible);
    return paged('Sessions retrieved successfully', data, meta);
  }

  @Get(':user_token/qr')
  @ApiOperation({ summary: "A session's pending QR code (PNG data URL, raw string, expiry)" })
  @ApiParam({ name: 'user_token', description: 'The session id', example: 'genfitywa1' })
  @ApiEnvelope(V1SessionQrDto, { message: 'QR code retrieved successfully' })
  @ApiErrors(400, 404, 409)
  async qr(
    @SessionParam('user_token') session: WhatsappSessionEntity,
  ): Promise<Envelope<V1SessionQrDto>> {
    return ok('QR code retrieved successfully', await this.sessions.v1Qr(session.sessionId));
  }
}

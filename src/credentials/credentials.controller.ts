import { VisibleSessions } from '../access/request-principal';
import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../access/permissions';
import { counted, CountedEnvelope, Envelope, ok } from '../common/http/envelope';
import { ApiEnvelope } from '../docs/api-envelope.decorator';
import { ApiErrors, ApiKeyAuth } from '../docs/api-docs.decorators';
import { SessionCredentialsViewDto } from '../sessions/dto/session-view.dto';
import { SessionParam } from '../sessions/session-param.pipe';
import type { WhatsappSessionEntity } from '../whatsapp/whatsapp-session.entity';
import { CredentialsService } from './credentials.service';

const ID_PARAM = {
  name: 'id',
  description: 'Session id (1-100 characters from A-Z, a-z, 0-9, "_", "." and "-")',
  example: 'sales-1',
};

/**
 * Seed 004's credentials: the linked WhatsApp account of each session. Only keys with `read` on
 * the session see them ("only authorized users may read credentials").
 */
@ApiTags('Credentials')
@ApiKeyAuth()
@RequirePermission('read')
@Controller('sessions')
export class CredentialsController {
  constructor(private readonly credentials: CredentialsService) {}

  @Get('connected/credentials')
  @ApiOperation({ summary: 'Connected sessions with the linked account (number, name, JID)' })
  @ApiEnvelope(SessionCredentialsViewDto, {
    message: 'Connected sessions with credentials retrieved successfully',
    isArray: true,
    count: true,
  })
  async connectedCredentials(
    @VisibleSessions() visible: string[] | undefined,
  ): Promise<CountedEnvelope<SessionCredentialsViewDto>> {
    return counted(
      'Connected sessions with credentials retrieved successfully',
      await this.credentials.list('connected', visible),
    );
  }

  @Get('all/credentials')
  @ApiOperation({ summary: 'All stored sessions with the linked account' })
  @ApiEnvelope(SessionCredentialsViewDto, {
    message: 'All sessions with credentials retrieved successfully',
    isArray: true,
    count: true,
  })
  async allCredentials(
    @VisibleSessions() visible: string[] | undefined,
  ): Promise<CountedEnvelope<SessionCredentialsViewDto>> {
    return counted(
      'All sessions with credentials retrieved successfully',
      await this.credentials.list('all', visible),
    );
  }

  @Get(':id/credentials')
  @ApiOperation({ summary: 'One session with the linked account' })
  @ApiParam(ID_PARAM)
  @ApiEnvelope(SessionCredentialsViewDto, { message: 'Session credentials retrieved successfully' })
  @ApiErrors(400, 404)
  async one(
    @SessionParam() session: WhatsappSessionEntity,
  ): Promise<Envelope<SessionCredentialsViewDto>> {
    return ok(
      'Session credentials retrieved successfully',
      await this.credentials.one(session.sessionId),
    );
  }
}

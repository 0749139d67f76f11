import { VisibleSessions } from '../access/request-principal';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Patch,
  Post,
  Query,
  Req,
  Res,
  StreamableFile,
} from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { SessionInBody } from '../access/access.guard';
import { counted, CountedEnvelope, Envelope, ok } from '../common/http/envelope';
import { ApiEnvelope } from '../docs/api-envelope.decorator';
import { ApiErrors, ApiKeyAuth } from '../docs/api-docs.decorators';
import {
  CreateSessionDto,
  PairingCodeRequestDto,
  UpdateSessionDto,
} from './dto/session-requests.dto';
import {
  PairingCodeViewDto,
  SessionQrViewDto,
  SessionStatusViewDto,
  SessionViewDto,
} from './dto/session-view.dto';
import { SessionParam } from './session-param.pipe';
import { SessionsService } from './sessions.service';
import type { WhatsappSessionEntity } from '../whatsapp/whatsapp-session.entity';

const ID_PARAM = {
  name: 'id',
  description: 'Session id (1-100 characters from A-Z, a-z, 0-9, "_", "." and "-")',
  example: 'sales-1',
};

@ApiTags('Sessions')
@ApiKeyAuth()
@Controller('sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Post()
  @SessionInBody()
  @ApiOperation({ summary: 'Create a session and start it (a UUID id when none is given)' })
  @ApiEnvelope(SessionViewDto, { status: 201, message: 'Session created' })
  @ApiErrors(400, 409)
  async create(@Body() body: CreateSessionDto): Promise<Envelope<SessionViewDto>> {
    return ok('Session created', await this.sessions.create(body.sessionId, body.name));
  }

  @Get()
  @ApiOperation({ summary: 'Sessions running in this process (seed 004 basic shape)' })
  @ApiEnvelope(SessionViewDto, {
    message: 'Sessions retrieved successfully',
    isArray: true,
    count: true,
  })
  async active(
    @VisibleSessions() visible: string[] | undefined,
  ): Promise<CountedEnvelope<SessionViewDto>> {
    return counted('Sessions retrieved successfully', await this.sessions.list('active', visible));
  }

  @Get('connected')
  @ApiOperation({ summary: 'Connected sessions (basic)' })
  @ApiEnvelope(SessionViewDto, {
    message: 'Connected sessions retrieved successfully',
    isArray: true,
    count: true,
  })
  async connected(
    @VisibleSessions() visible: string[] | undefined,
  ): Promise<CountedEnvelope<SessionViewDto>> {
    return counted(
      'Connected sessions retrieved successfully',
      await this.sessions.list('connected', visible),
    );
  }

  @Get('all')
  @ApiOperation({ summary: 'All stored sessions, running or not (basic)' })
  @ApiEnvelope(SessionViewDto, {
    message: 'All sessions retrieved successfully',
    isArray: true,
    count: true,
  })
  async all(
    @VisibleSessions() visible: string[] | undefined,
  ): Promise<CountedEnvelope<SessionViewDto>> {
    return counted('All sessions retrieved successfully', await this.sessions.list('all', visible));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One session (basic)' })
  @ApiParam(ID_PARAM)
  @ApiEnvelope(SessionViewDto, { message: 'Session retrieved successfully' })
  @ApiErrors(400, 404)
  async get(@SessionParam() session: WhatsappSessionEntity): Promise<Envelope<SessionViewDto>> {
    return ok('Session retrieved successfully', await this.sessions.view(session.sessionId));
  }

  @Patch(':id')
  @ApiOperation({ summary: "Change a session's display name or settings (contactsAutoSync)" })
  @ApiParam(ID_PARAM)
  @ApiBody({ type: UpdateSessionDto })
  @ApiEnvelope(SessionViewDto, { message: 'Session updated' })
  @ApiErrors(400, 404)
  async update(
    @SessionParam() session: WhatsappSessionEntity,
    @Body() body: UpdateSessionDto,
  ): Promise<Envelope<SessionViewDto & { contactsAutoSync: boolean | null }>> {
    return ok('Session updated', await this.sessions.update(session.sessionId, body));
  }

  @Get(':id/status')
  @ApiOperation({ summary: 'Session state, QR availability and last disconnect reason' })
  @ApiParam(ID_PARAM)
  @ApiEnvelope(SessionStatusViewDto, { message: 'Session status retrieved successfully' })
  @ApiErrors(400, 404)
  async status(
    @SessionParam() session: WhatsappSessionEntity,
  ): Promise<Envelope<SessionStatusViewDto>> {
    return ok(
      'Session status retrieved successfully',
      await this.sessions.status(session.sessionId),
    );
  }

  @Get(':id/qr')
  @ApiOperation({
    summary:
      'The pending QR code: JSON (raw string + PNG data URL + expiry), or a PNG with Accept: image/png',
  })
  @ApiParam(ID_PARAM)
  @ApiProduces('application/json', 'image/png')
  @ApiEnvelope(SessionQrViewDto, { message: 'QR code retrieved successfully' })
  @ApiErrors(400, 404, 409)
  async qr(
    @SessionParam() session: WhatsappSessionEntity,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<Envelope<SessionQrViewDto> | StreamableFile> {
    if (request.accepts(['application/json', 'image/png']) === 'image/png') {
      const png = await this.sessions.qrPng(session.sessionId);
      response.setHeader('Cache-Control', 'no-store');
      return new StreamableFile(png, { type: 'image/png', length: png.length });
    }
    return ok('QR code retrieved successfully', await this.sessions.qr(session.sessionId));
  }

  @Post(':id/pairing-code')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Link by phone number: get a code to type on the phone instead of scanning a QR',
  })
  @ApiParam(ID_PARAM)
  @ApiBody({ type: PairingCodeRequestDto })
  @ApiEnvelope(PairingCodeViewDto, { message: 'Pairing code generated' })
  @ApiErrors(400, 404, 409, 503)
  async pairingCode(
    @SessionParam() session: WhatsappSessionEntity,
    @Body() body: PairingCodeRequestDto,
  ): Promise<Envelope<PairingCodeViewDto>> {
    return ok(
      'Pairing code generated',
      await this.sessions.pairingCode(session.sessionId, body.phoneNumber),
    );
  }

  @Post(':id/start')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start a session (a no-op returning its state when it runs already)' })
  @ApiParam(ID_PARAM)
  @ApiEnvelope(SessionViewDto, { message: 'Session started' })
  @ApiErrors(400, 404)
  async start(@SessionParam() session: WhatsappSessionEntity): Promise<Envelope<SessionViewDto>> {
    return ok('Session started', await this.sessions.start(session.sessionId));
  }

  @Post(':id/stop')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop a session without logging out (it stays linked)' })
  @ApiParam(ID_PARAM)
  @ApiEnvelope(SessionViewDto, { message: 'Session stopped' })
  @ApiErrors(400, 404)
  async stop(@SessionParam() session: WhatsappSessionEntity): Promise<Envelope<SessionViewDto>> {
    return ok('Session stopped', await this.sessions.stop(session.sessionId));
  }

  @Post(':id/restart')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop and start a session again' })
  @ApiParam(ID_PARAM)
  @ApiEnvelope(SessionViewDto, { message: 'Session restarted' })
  @ApiErrors(400, 404)
  async restart(@SessionParam() session: WhatsappSessionEntity): Promise<Envelope<SessionViewDto>> {
    return ok('Session restarted', await this.sessions.restart(session.sessionId));
  }

  @Post(':id/logout')
  @HttpCode(200)
  @ApiOperation({ summary: 'Unlink the device from the phone and forget the auth state' })
  @ApiParam(ID_PARAM)
  @ApiEnvelope(SessionViewDto, { message: 'Session logged out' })
  @ApiErrors(400, 404)
  async logout(@SessionParam() session: WhatsappSessionEntity): Promise<Envelope<SessionViewDto>> {
    return ok('Session logged out', await this.sessions.logout(session.sessionId));
  }

  @Delete(':id')
  @ApiOperation({
    summary:
      'Log out and delete a session with its auth state; stored contacts stay unless purge=true',
  })
  @ApiParam(ID_PARAM)
  @ApiQuery({
    name: 'purge',
    required: false,
    type: Boolean,
    description: 'Also delete the stored contacts',
  })
  @ApiErrors(400, 404)
  async remove(
    @SessionParam() session: WhatsappSessionEntity,
    @Query('purge') purge?: string,
  ): Promise<Envelope<{ sessionId: string; purged: boolean }>> {
    return ok(
      'Session deleted',
      await this.sessions.remove(session.sessionId, purge === 'true' || purge === '1'),
    );
  }
}

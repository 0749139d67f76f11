import { RequirePermission } from '../access/permissions';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { MultipartFileInterceptor } from '../common/http/multipart-file.interceptor';
import { ApiConsumes, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { counted, CountedEnvelope, Envelope, ok } from '../common/http/envelope';
import { ApiEnvelope } from '../docs/api-envelope.decorator';
import { ApiErrors, ApiKeyAuth } from '../docs/api-docs.decorators';
import { SessionIdPipe, SessionParam } from '../sessions/session-param.pipe';
import type { WhatsappSessionEntity } from '../whatsapp/whatsapp-session.entity';
import {
  CheckNumbersDto,
  NumberCheckDto,
  ProfileInfoDto,
  ReadMessagesDto,
  TypingDto,
} from './dto/check-number.dto';
import { SendMessageDto, SentMessageDto } from './dto/send-message.dto';
import type { UploadedMedia } from './media-source.service';
import { MessagingService } from './messaging.service';
import { SendQueue } from './send-queue.service';
import { KnownSessionPipe } from './session-gate.service';

const ID_PARAM = { name: 'id', description: 'Session id', example: 'sales-1' };
const PHONE_PARAM = {
  name: 'phone',
  description: 'Phone number (6281234567890, +62 812-3456-7890 or 081234567890)',
  example: '6281234567890',
};

/** What seed 002 offers over socket.io, as REST on the session (CONTRACT §1). */
@ApiTags('Messaging')
@ApiKeyAuth()
@Controller('sessions/:id')
export class SessionMessagingController {
  constructor(
    private readonly messaging: MessagingService,
    private readonly queue: SendQueue,
  ) {}

  @Post('messages')
  @RequirePermission('send')
  @UseInterceptors(MultipartFileInterceptor('file', 'MEDIA_MAX_BYTES'))
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiOperation({
    summary:
      'Send a message (text, image, document, video, audio, location, contact, reaction, edit, delete; paced per session)',
    description:
      'Media comes from `media` (an http(s) URL, base64 or a data URL, or a path inside MEDIA_DIR) or, as multipart/form-data, from the file field `file`. Larger than MEDIA_MAX_BYTES: 413.',
  })
  @ApiParam(ID_PARAM)
  @ApiEnvelope(SentMessageDto, { status: 201, message: 'Message sent' })
  @ApiErrors(400, 404, 413, 429, 503)
  async send(
    @Param('id', SessionIdPipe, KnownSessionPipe) sessionId: string,
    @Body() body: SendMessageDto,
    @UploadedFile() file?: UploadedMedia,
  ): Promise<Envelope<SentMessageDto>> {
    return ok('Message sent', await this.messaging.send(sessionId, body, file));
  }

  @Get('check/:phone')
  @ApiOperation({ summary: 'Whether a number is on WhatsApp (cached after the first check)' })
  @ApiParam(ID_PARAM)
  @ApiParam(PHONE_PARAM)
  @ApiEnvelope(NumberCheckDto, { message: 'Phone number checked' })
  @ApiErrors(400, 404, 503)
  async check(
    @SessionParam() session: WhatsappSessionEntity,
    @Param('phone') phone: string,
  ): Promise<Envelope<NumberCheckDto>> {
    return ok('Phone number checked', await this.messaging.checkNumber(session.sessionId, phone));
  }

  @Post('check')
  @RequirePermission('read')
  @HttpCode(200)
  @ApiOperation({ summary: 'Check up to 500 numbers at once' })
  @ApiParam(ID_PARAM)
  @ApiEnvelope(NumberCheckDto, { message: 'Phone numbers checked', isArray: true, count: true })
  @ApiErrors(400, 404, 503)
  async checkMany(
    @SessionParam() session: WhatsappSessionEntity,
    @Body() body: CheckNumbersDto,
  ): Promise<CountedEnvelope<NumberCheckDto>> {
    return counted(
      'Phone numbers checked',
      await this.messaging.checkNumbers(session.sessionId, body.phoneNumbers),
    );
  }

  @Get('profile/:phone')
  @ApiOperation({ summary: "A number's profile: name, about text, picture URL, business info" })
  @ApiParam(ID_PARAM)
  @ApiParam(PHONE_PARAM)
  @ApiEnvelope(ProfileInfoDto, { message: 'Profile info retrieved successfully' })
  @ApiErrors(400, 404, 503)
  async profile(
    @SessionParam() session: WhatsappSessionEntity,
    @Param('phone') phone: string,
  ): Promise<Envelope<ProfileInfoDto>> {
    return ok(
      'Profile info retrieved successfully',
      await this.messaging.profile(session.sessionId, phone),
    );
  }

  @Post('typing')
  @RequirePermission('send')
  @HttpCode(200)
  @ApiOperation({ summary: 'Show or stop the typing indicator in a chat' })
  @ApiParam(ID_PARAM)
  @ApiErrors(400, 404, 503)
  async typing(@SessionParam() session: WhatsappSessionEntity, @Body() body: TypingDto) {
    return ok(
      'Typing indicator sent',
      await this.messaging.typing(session.sessionId, body.to, body.isTyping),
    );
  }

  @Post('read')
  @RequirePermission('send')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark messages read (by message key or stored message id)' })
  @ApiParam(ID_PARAM)
  @ApiErrors(400, 404, 503)
  async read(@SessionParam() session: WhatsappSessionEntity, @Body() body: ReadMessagesDto) {
    return ok('Messages marked as read', await this.messaging.read(session.sessionId, body));
  }

  @Get('queue')
  @ApiOperation({ summary: "Messages waiting in the session's paced send queue" })
  @ApiParam(ID_PARAM)
  @ApiErrors(400, 404)
  queueLength(@SessionParam() session: WhatsappSessionEntity) {
    return ok('Send queue retrieved successfully', {
      sessionId: session.sessionId,
      queueLength: this.queue.length(session.sessionId),
    });
  }
}

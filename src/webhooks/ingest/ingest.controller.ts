import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiHeader,
  ApiOperation,
  ApiQuery,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { Public } from '../../common/auth/public.decorator';
import { Envelope, ok } from '../../common/http/envelope';
import { ApiEnvelope } from '../../docs/api-envelope.decorator';
import { ApiErrors, BEARER_SCHEME, HEADER_KEY_SCHEME } from '../../docs/api-docs.decorators';
import { IngestAuthGuard } from './ingest-auth.guard';
import { IngestResultDto } from './ingest-result.dto';
import { IngestService } from './ingest.service';

const MESSAGE_SAMPLE = {
  event: {
    Info: {
      ID: '53829C3632356D0F08BFB6BDB41A706F',
      Sender: '6289668176764@s.whatsapp.net',
      Chat: '6281233784490@s.whatsapp.net',
      IsFromMe: true,
      IsGroup: false,
      PushName: 'Yoga',
      Type: 'text',
      Timestamp: '2025-08-14T14:55:01+07:00',
    },
    Message: { conversation: 'ya' },
  },
  token: 'genfitywa1',
  type: 'Message',
};

@ApiTags('Webhook ingest')
@Controller('api/v1/webhook')
export class IngestController {
  constructor(private readonly ingest: IngestService) {}

  @Post()
  @Public()
  @UseGuards(IngestAuthGuard)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Receive one event in the 003 format from a wuzapi-style engine',
    description:
      'JSON `{"type", "event", "token"}` or form-encoded `jsonData=<json>&token=<session id>`. Types Message, ReadReceipt, ChatPresence, Presence, Connected, QR, Disconnected, LoggedOut, QRTimeout and PairSuccess update the gateway like a native session; other types are stored raw and acknowledged. The same event sent twice is applied once. Auth: the API key in a header or `?api_key=`, or `x-hmac-signature` (hex HMAC-SHA256 of the raw body) when WEBHOOK_INGEST_SECRET is set.',
  })
  @ApiSecurity(BEARER_SCHEME)
  @ApiSecurity(HEADER_KEY_SCHEME)
  @ApiQuery({
    name: 'api_key',
    required: false,
    description: 'The API key, for engines that can only be given a URL',
  })
  @ApiHeader({
    name: 'x-hmac-signature',
    required: false,
    description: 'Hex HMAC-SHA256 of the raw body with WEBHOOK_INGEST_SECRET',
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ schema: { type: 'object', example: MESSAGE_SAMPLE } })
  @ApiEnvelope(IngestResultDto, { message: 'Event received' })
  @ApiErrors(400, 401, 413, 500)
  async receive(@Body() body: unknown): Promise<Envelope<IngestResultDto>> {
    return ok('Event received', await this.ingest.ingest(body));
  }
}

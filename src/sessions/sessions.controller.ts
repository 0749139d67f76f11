import { Controller, Get } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { counted, CountedEnvelope } from '../common/http/envelope';
import { ApiKeyAuth } from '../docs/api-docs.decorators';
import { SessionViewDto } from './dto/session-view.dto';
import { SessionsService } from './sessions.service';

@ApiTags('Sessions')
@ApiKeyAuth()
@ApiExtraModels(SessionViewDto)
@Controller('sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get()
  @ApiOperation({ summary: 'List sessions (seed 004 basic shape)' })
  @ApiOkResponse({
    description: 'Every stored session',
    schema: {
      properties: {
        success: { type: 'boolean', example: true },
        message: { type: 'string', example: 'Sessions retrieved successfully' },
        data: { type: 'array', items: { $ref: getSchemaPath(SessionViewDto) } },
        count: { type: 'integer', example: 1 },
      },
    },
  })
  async list(): Promise<CountedEnvelope<SessionViewDto>> {
    return counted('Sessions retrieved successfully', await this.sessions.list());
  }
}

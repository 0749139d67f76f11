import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../access/permissions';
import { ok, paged } from '../common/http/envelope';
import { PaginationQueryDto } from '../common/http/pagination';
import { ApiEnvelope } from '../docs/api-envelope.decorator';
import { ApiErrors, ApiKeyAuth } from '../docs/api-docs.decorators';
import { SessionParam } from '../sessions/session-param.pipe';
import type { WhatsappSessionEntity } from '../whatsapp/whatsapp-session.entity';
import { AddOptOutsDto, OptOutViewDto } from './dto/opt-out.dto';
import { OptOutsService } from './opt-outs.service';

const ID_PARAM = { name: 'id', description: 'Session id', example: 'sales-1' };

/** The session's campaign opt-out list. */
@ApiTags('Campaigns')
@ApiKeyAuth()
@Controller('sessions/:id/opt-outs')
export class OptOutsController {
  constructor(private readonly optOuts: OptOutsService) {}

  @Post()
  @RequirePermission('send')
  @ApiOperation({ summary: 'Opt numbers out of every campaign of this session' })
  @ApiParam(ID_PARAM)
  @ApiErrors(400, 404)
  async add(@SessionParam() session: WhatsappSessionEntity, @Body() body: AddOptOutsDto) {
    return ok('Opt-outs added', await this.optOuts.add(session.sessionId, body.phoneNumbers));
  }

  @Get()
  @ApiOperation({ summary: 'The opted-out numbers of this session, newest first' })
  @ApiParam(ID_PARAM)
  @ApiEnvelope(OptOutViewDto, { message: 'Opt-outs retrieved', isArray: true, paged: true })
  @ApiErrors(400, 404)
  async list(@SessionParam() session: WhatsappSessionEntity, @Query() query: PaginationQueryDto) {
    const { data, meta } = await this.optOuts.list(session.sessionId, query);
    return paged('Opt-outs retrieved', data, meta);
  }

  @Delete(':phone')
  @RequirePermission('send')
  @ApiOperation({ summary: 'Take a number off the opt-out list' })
  @ApiParam(ID_PARAM)
  @ApiParam({ name: 'phone', example: '6281234567890' })
  @ApiErrors(400, 404)
  async remove(@SessionParam() session: WhatsappSessionEntity, @Param('phone') phone: string) {
    return ok('Opt-out removed', await this.optOuts.remove(session.sessionId, phone));
  }
}

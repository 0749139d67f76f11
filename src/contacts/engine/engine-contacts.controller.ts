import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { counted, CountedEnvelope, Envelope, ok } from '../../common/http/envelope';
import { ApiErrors, ApiKeyAuth } from '../../docs/api-docs.decorators';
import { SessionParam } from '../../sessions/session-param.pipe';
import type { WhatsappSessionEntity } from '../../whatsapp/whatsapp-session.entity';
import { EngineContactsQueryDto } from './engine-contacts-query.dto';
import {
  EngineContactsService,
  type EngineContactView,
  type EngineGroupView,
} from './engine-contacts.service';

const ID_PARAM = { name: 'id', description: 'Session id', example: 'sales-1' };

/** The engine side of the grabber (000/001): live data, nothing stored. */
@ApiTags('Sessions')
@ApiKeyAuth()
@Controller('sessions/:id')
export class EngineContactsController {
  constructor(private readonly engine: EngineContactsService) {}

  @Get('groups')
  @ApiOperation({
    summary: 'Live groups of a connected session, with participants (nothing stored)',
  })
  @ApiParam(ID_PARAM)
  @ApiErrors(400, 404, 503)
  async groups(
    @SessionParam() session: WhatsappSessionEntity,
  ): Promise<CountedEnvelope<EngineGroupView>> {
    return counted('Groups retrieved successfully', await this.engine.groups(session.sessionId));
  }

  @Get('contacts')
  @ApiOperation({
    summary:
      "A connected session's contacts from its address book (nothing stored), optionally only a saved list's members",
  })
  @ApiParam(ID_PARAM)
  @ApiErrors(400, 404)
  async contacts(
    @SessionParam() session: WhatsappSessionEntity,
    @Query() query: EngineContactsQueryDto,
  ): Promise<CountedEnvelope<EngineContactView>> {
    return counted(
      'Contacts retrieved successfully',
      await this.engine.contacts(session.sessionId, query.listId),
    );
  }

  @Get('all-contacts')
  @ApiOperation({ summary: 'Live groups and address book contacts at once (nothing stored)' })
  @ApiParam(ID_PARAM)
  @ApiErrors(400, 404, 503)
  async all(
    @SessionParam() session: WhatsappSessionEntity,
  ): Promise<Envelope<{ groups: EngineGroupView[]; contacts: EngineContactView[] }>> {
    return ok('All contacts retrieved successfully', await this.engine.all(session.sessionId));
  }
}

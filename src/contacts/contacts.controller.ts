import { RequirePermission } from '../access/permissions';
import { Controller, Delete, Get, Param, Query, StreamableFile } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Envelope, ok, type PageMeta } from '../common/http/envelope';
import { PaginationQueryDto } from '../common/http/pagination';
import { ApiErrors, ApiKeyAuth } from '../docs/api-docs.decorators';
import { SessionParam } from '../sessions/session-param.pipe';
import type { WhatsappSessionEntity } from '../whatsapp/whatsapp-session.entity';
import {
  DeleteContactsQueryDto,
  GrabQueryDto,
  StoredContactsQueryDto,
} from './dto/contacts-query.dto';
import { ContactsGrabberService } from './grab/contacts-grabber.service';
import { ContactListsService } from './lists/contact-lists.service';
import { GRAB_MESSAGES, type GrabData, type GrabScope } from './grab/grab-types';
import { ContactsExportService } from './stored/contacts-export.service';
import { StoredContactsService } from './stored/stored-contacts.service';
import type { StoredContactsData } from './stored/stored-contacts.service';
import {
  ApiSessionStatusService,
  type ApiSessionStatusView,
} from './stored/api-session-status.service';

const SESSION_PARAM = { name: 'session_id', description: 'Session id', example: 'sales-1' };

/** Seed 000's contact grabber and stored contacts, under /api/sessions/:session_id. */
@ApiTags('Contacts')
@ApiKeyAuth()
@Controller('api/sessions/:session_id')
export class ContactsController {
  constructor(
    private readonly grabber: ContactsGrabberService,
    private readonly stored: StoredContactsService,
    private readonly exports: ContactsExportService,
    private readonly status: ApiSessionStatusService,
    private readonly lists: ContactListsService,
  ) {}

  @Get('grab-groups')
  @RequirePermission('manage')
  @ApiOperation({
    summary: 'Grab every group (and its participants) of a connected session into contacts',
  })
  @ApiParam(SESSION_PARAM)
  @ApiErrors(400, 404, 503, 504)
  grabGroups(
    @SessionParam('session_id') session: WhatsappSessionEntity,
    @Query() query: GrabQueryDto,
  ) {
    return this.grab(session, 'groups', query);
  }

  @Get('grab-contacts')
  @RequirePermission('manage')
  @ApiOperation({ summary: 'Grab every individual contact of a connected session into contacts' })
  @ApiParam(SESSION_PARAM)
  @ApiErrors(400, 404, 503, 504)
  grabContacts(
    @SessionParam('session_id') session: WhatsappSessionEntity,
    @Query() query: GrabQueryDto,
  ) {
    return this.grab(session, 'contacts', query);
  }

  @Get('grab-all')
  @RequirePermission('manage')
  @ApiOperation({ summary: 'Grab groups and individual contacts at once (fetched in parallel)' })
  @ApiParam(SESSION_PARAM)
  @ApiErrors(400, 404, 503, 504)
  grabAll(
    @SessionParam('session_id') session: WhatsappSessionEntity,
    @Query() query: GrabQueryDto,
  ) {
    return this.grab(session, 'all', query);
  }

  @Get('contacts')
  @ApiOperation({
    summary:
      'Stored contacts (type, search, group_id, list_id filters, paginated), or the whole set as CSV/XLSX',
  })
  @ApiParam(SESSION_PARAM)
  @ApiProduces(
    'application/json',
    'text/csv',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  )
  @ApiErrors(400, 404)
  async list(
    @SessionParam('session_id') session: WhatsappSessionEntity,
    @Query() query: StoredContactsQueryDto,
  ): Promise<(Envelope<StoredContactsData> & { meta: PageMeta }) | StreamableFile> {
    if (query.list_id) {
      await this.lists.find(session.sessionId, query.list_id); // another session's list: 404
    }
    if (query.format === 'csv' || query.format === 'xlsx') {
      return this.exports.file(session.sessionId, query, query.format);
    }
    const { data, meta } = await this.stored.list(session, query);
    return { ...ok('Kontak berhasil diambil dari database', data), meta };
  }

  @Delete('contacts')
  @ApiOperation({ summary: 'Delete the stored contacts of a session (optionally of one type)' })
  @ApiParam(SESSION_PARAM)
  @ApiErrors(400, 404)
  async remove(
    @SessionParam('session_id') session: WhatsappSessionEntity,
    @Query() query: DeleteContactsQueryDto,
  ) {
    return ok(
      'Kontak berhasil dihapus dari database',
      await this.stored.remove(session, query.type),
    );
  }

  @Get('groups/:group_id/participants')
  @ApiOperation({ summary: 'The members a grab stored for one group, with their admin flags' })
  @ApiParam(SESSION_PARAM)
  @ApiParam({ name: 'group_id', example: '120363000000000001@g.us' })
  @ApiErrors(400, 404)
  async participants(
    @SessionParam('session_id') session: WhatsappSessionEntity,
    @Param('group_id') groupId: string,
    @Query() query: PaginationQueryDto,
  ) {
    const { group, participants, meta } = await this.stored.groupParticipants(
      session.sessionId,
      groupId,
      query,
    );
    return {
      ...ok('Group participants retrieved successfully', {
        session_id: session.sessionId,
        session_name: session.name,
        group_id: groupId,
        group_name: group?.groupName ?? null,
        total_participants: meta.total,
        participants,
      }),
      meta,
    };
  }

  @Get('status')
  @ApiOperation({ summary: "The session's state in snake_case (seed 001's troubleshooting guide)" })
  @ApiParam(SESSION_PARAM)
  @ApiErrors(400, 404)
  async sessionStatus(
    @SessionParam('session_id') session: WhatsappSessionEntity,
  ): Promise<Envelope<ApiSessionStatusView>> {
    return ok('Session status retrieved successfully', this.status.view(session));
  }

  private async grab(
    session: WhatsappSessionEntity,
    scope: GrabScope,
    query: GrabQueryDto,
  ): Promise<Envelope<GrabData>> {
    const data = await this.grabber.grab(session.sessionId, scope, {
      withPictures: query.with_pictures ?? false,
    });
    return ok(GRAB_MESSAGES[scope], data);
  }
}

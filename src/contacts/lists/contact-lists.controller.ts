import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../access/permissions';
import { Envelope, ok, paged, PagedEnvelope, type PageMeta } from '../../common/http/envelope';
import { PaginationQueryDto } from '../../common/http/pagination';
import { ApiEnvelope } from '../../docs/api-envelope.decorator';
import { ApiErrors, ApiKeyAuth } from '../../docs/api-docs.decorators';
import { SessionParam } from '../../sessions/session-param.pipe';
import type { WhatsappSessionEntity } from '../../whatsapp/whatsapp-session.entity';
import { ContactListsService } from './contact-lists.service';
import {
  ContactListViewDto,
  ContactListWithMembersDto,
  CreateContactListDto,
  ListMembersDto,
  MemberRemovedDto,
  MembersAddedDto,
  RenameContactListDto,
} from './dto/contact-list.dto';

const ID_PARAM = { name: 'id', description: 'Session id', example: 'sales-1' };
const LIST_PARAM = { name: 'listId', description: 'Contact list id', example: '1' };

/**
 * Saved contact lists of a session (a campaign recipient source). Reading needs `read`;
 * changing needs `send`, like the campaigns and opt-outs they feed. Changes are audited.
 */
@ApiTags('Contact lists')
@ApiKeyAuth()
@Controller('sessions/:id/contact-lists')
export class ContactListsController {
  constructor(private readonly lists: ContactListsService) {}

  @Post()
  @RequirePermission('send')
  @ApiOperation({
    summary: 'Create a saved contact list from numbers/JIDs and/or a stored contacts filter',
    description:
      '`members`: phone numbers (any common form), user, group or LID JIDs. `contacts`: a filter of the stored contacts (type, search, groupId) whose matches are added now (a snapshot). Numbers are normalized as for campaigns; duplicates collapse. Names are unique per session (case-insensitive).',
  })
  @ApiParam(ID_PARAM)
  @ApiEnvelope(ContactListViewDto, { status: 201, message: 'Contact list created' })
  @ApiErrors(400, 404, 409, 413)
  async create(
    @SessionParam() session: WhatsappSessionEntity,
    @Body() body: CreateContactListDto,
  ): Promise<Envelope<ContactListViewDto>> {
    return ok('Contact list created', await this.lists.create(session.sessionId, body));
  }

  @Get()
  @ApiOperation({ summary: "The session's saved contact lists with their member counts" })
  @ApiParam(ID_PARAM)
  @ApiEnvelope(ContactListViewDto, {
    message: 'Contact lists retrieved',
    isArray: true,
    paged: true,
  })
  @ApiErrors(400, 404)
  async list(
    @SessionParam() session: WhatsappSessionEntity,
    @Query() query: PaginationQueryDto,
  ): Promise<PagedEnvelope<ContactListViewDto>> {
    const { data, meta } = await this.lists.list(session.sessionId, query);
    return paged('Contact lists retrieved', data, meta);
  }

  @Get(':listId')
  @ApiOperation({
    summary: 'One saved contact list with a page of its members (`meta` pages them)',
  })
  @ApiParam(ID_PARAM)
  @ApiParam(LIST_PARAM)
  @ApiEnvelope(ContactListWithMembersDto, { message: 'Contact list retrieved', paged: true })
  @ApiErrors(400, 404)
  async get(
    @SessionParam() session: WhatsappSessionEntity,
    @Param('listId') listId: string,
    @Query() query: PaginationQueryDto,
  ): Promise<Envelope<ContactListWithMembersDto> & { meta: PageMeta }> {
    const { data, meta } = await this.lists.get(session.sessionId, listId, query);
    return { ...ok('Contact list retrieved', data), meta };
  }

  @Patch(':listId')
  @RequirePermission('send')
  @ApiOperation({ summary: 'Rename a saved contact list' })
  @ApiParam(ID_PARAM)
  @ApiParam(LIST_PARAM)
  @ApiEnvelope(ContactListViewDto, { message: 'Contact list renamed' })
  @ApiErrors(400, 404, 409)
  async rename(
    @SessionParam() session: WhatsappSessionEntity,
    @Param('listId') listId: string,
    @Body() body: RenameContactListDto,
  ): Promise<Envelope<ContactListViewDto>> {
    return ok(
      'Contact list renamed',
      await this.lists.rename(session.sessionId, listId, body.name),
    );
  }

  @Delete(':listId')
  @RequirePermission('send')
  @ApiOperation({
    summary: 'Delete a saved contact list (campaigns made from it keep their recipients)',
  })
  @ApiParam(ID_PARAM)
  @ApiParam(LIST_PARAM)
  @ApiErrors(400, 404)
  async remove(
    @SessionParam() session: WhatsappSessionEntity,
    @Param('listId') listId: string,
  ): Promise<Envelope<{ deleted: boolean }>> {
    return ok('Contact list deleted', await this.lists.remove(session.sessionId, listId));
  }

  @Post(':listId/members')
  @RequirePermission('send')
  @ApiOperation({
    summary: 'Add members: numbers/JIDs and/or the stored contacts a filter matches now',
  })
  @ApiParam(ID_PARAM)
  @ApiParam(LIST_PARAM)
  @ApiEnvelope(MembersAddedDto, { status: 201, message: 'Members added' })
  @ApiErrors(400, 404, 413)
  async addMembers(
    @SessionParam() session: WhatsappSessionEntity,
    @Param('listId') listId: string,
    @Body() body: ListMembersDto,
  ): Promise<Envelope<MembersAddedDto>> {
    return ok('Members added', await this.lists.addMembers(session.sessionId, listId, body));
  }

  @Delete(':listId/members/:member')
  @RequirePermission('send')
  @ApiOperation({ summary: 'Remove one member (a number in any common form, or a JID)' })
  @ApiParam(ID_PARAM)
  @ApiParam(LIST_PARAM)
  @ApiParam({ name: 'member', example: '6281234567890' })
  @ApiEnvelope(MemberRemovedDto, { message: 'Member removed' })
  @ApiErrors(400, 404)
  async removeMember(
    @SessionParam() session: WhatsappSessionEntity,
    @Param('listId') listId: string,
    @Param('member') member: string,
  ): Promise<Envelope<MemberRemovedDto>> {
    return ok('Member removed', await this.lists.removeMember(session.sessionId, listId, member));
  }
}

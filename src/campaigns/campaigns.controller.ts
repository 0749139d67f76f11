import {
  applyDecorators,
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  StreamableFile,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { MultipartFileInterceptor } from '../common/http/multipart-file.interceptor';
import { ApiConsumes, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../access/permissions';
import { Envelope, ok, paged, PagedEnvelope } from '../common/http/envelope';
import { ApiEnvelope } from '../docs/api-envelope.decorator';
import { ApiErrors, ApiKeyAuth } from '../docs/api-docs.decorators';
import { SessionParam } from '../sessions/session-param.pipe';
import type { WhatsappSessionEntity } from '../whatsapp/whatsapp-session.entity';
import { CampaignReports } from './campaign-reports.service';
import { CampaignsService } from './campaigns.service';
import { CreateCampaignDto } from './dto/create-campaign.dto';
import {
  CampaignListQueryDto,
  CampaignViewDto,
  RecipientsQueryDto,
  RecipientViewDto,
} from './dto/campaign-view.dto';
import { RecipientUpload, type UploadedFileLike } from './recipient-upload.service';

const ID_PARAM = { name: 'id', description: 'Session id', example: 'sales-1' };
const CID_PARAM = { name: 'cid', description: 'Campaign id', example: '1' };

/** A command on one campaign: `send` permission (audited, see auditActionOf), documented. */
const CampaignCommand = (summary: string, message: string) =>
  applyDecorators(
    RequirePermission('send'),
    HttpCode(200),
    ApiOperation({ summary }),
    ApiParam(ID_PARAM),
    ApiParam(CID_PARAM),
    ApiEnvelope(CampaignViewDto, { message }),
    ApiErrors(400, 404, 409),
  );

/** Blast campaigns of a session (issue 19). */
@ApiTags('Campaigns')
@ApiKeyAuth()
@Controller('sessions/:id/campaigns')
export class CampaignsController {
  constructor(
    private readonly campaigns: CampaignsService,
    private readonly reports: CampaignReports,
    private readonly uploads: RecipientUpload,
  ) {}

  @Post()
  @RequirePermission('send')
  @UseInterceptors(MultipartFileInterceptor('file', 'CAMPAIGN_UPLOAD_MAX_BYTES'))
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiOperation({
    summary: 'Create a campaign: one templated message to stored contacts, a list or a CSV/XLSX',
    description:
      'Recipients: `contacts` (a filter of stored contacts: type, search, groupId), `listId` (the members of a saved contact list), `recipients` (a list of {to, name?, variables?}) and/or, as multipart/form-data, a CSV or XLSX file in the field `file` (a `phone` column, optional `name`, any other column is a variable). Text and caption take `{{variable}}`, `{{variable|default}}` and spintax `{Hi|Hello}`. De-duplicated by number; numbers not on WhatsApp are skipped; opted-out numbers are skipped.',
  })
  @ApiParam(ID_PARAM)
  @ApiEnvelope(CampaignViewDto, { status: 201, message: 'Campaign created' })
  @ApiErrors(400, 404, 413)
  async create(
    @SessionParam() session: WhatsappSessionEntity,
    @Body() body: CreateCampaignDto,
    @UploadedFile() file?: UploadedFileLike,
  ): Promise<Envelope<CampaignViewDto>> {
    const uploaded = file ? await this.uploads.read(file) : undefined;
    return ok('Campaign created', await this.campaigns.create(session.sessionId, body, uploaded));
  }

  @Get()
  @ApiOperation({ summary: "The session's campaigns with their progress, newest first" })
  @ApiParam(ID_PARAM)
  @ApiEnvelope(CampaignViewDto, { message: 'Campaigns retrieved', isArray: true, paged: true })
  @ApiErrors(400, 404)
  async list(
    @SessionParam() session: WhatsappSessionEntity,
    @Query() query: CampaignListQueryDto,
  ): Promise<PagedEnvelope<CampaignViewDto>> {
    const { data, meta } = await this.campaigns.list(session.sessionId, query);
    return paged('Campaigns retrieved', data, meta);
  }

  @Get(':cid')
  @ApiOperation({ summary: 'One campaign with its progress (counts per recipient state)' })
  @ApiParam(ID_PARAM)
  @ApiParam(CID_PARAM)
  @ApiEnvelope(CampaignViewDto, { message: 'Campaign retrieved' })
  @ApiErrors(400, 404)
  async get(
    @SessionParam() session: WhatsappSessionEntity,
    @Param('cid') campaignId: string,
  ): Promise<Envelope<CampaignViewDto>> {
    return ok('Campaign retrieved', await this.campaigns.get(session.sessionId, campaignId));
  }

  @Post(':cid/pause')
  @CampaignCommand(
    'Pause a running or scheduled campaign (a message already queued still goes)',
    'Campaign paused',
  )
  async pause(
    @SessionParam() session: WhatsappSessionEntity,
    @Param('cid') campaignId: string,
  ): Promise<Envelope<CampaignViewDto>> {
    return ok('Campaign paused', await this.campaigns.pause(session.sessionId, campaignId));
  }

  @Post(':cid/resume')
  @CampaignCommand('Resume a paused campaign where it stopped', 'Campaign resumed')
  async resume(
    @SessionParam() session: WhatsappSessionEntity,
    @Param('cid') campaignId: string,
  ): Promise<Envelope<CampaignViewDto>> {
    return ok('Campaign resumed', await this.campaigns.resume(session.sessionId, campaignId));
  }

  @Post(':cid/cancel')
  @CampaignCommand(
    'Cancel a campaign for good (pending recipients are not sent)',
    'Campaign cancelled',
  )
  async cancel(
    @SessionParam() session: WhatsappSessionEntity,
    @Param('cid') campaignId: string,
  ): Promise<Envelope<CampaignViewDto>> {
    return ok('Campaign cancelled', await this.campaigns.cancel(session.sessionId, campaignId));
  }

  @Get(':cid/recipients')
  @ApiOperation({
    summary: "A campaign's recipients and their states (paginated), or the report as CSV/XLSX",
  })
  @ApiParam(ID_PARAM)
  @ApiParam(CID_PARAM)
  @ApiProduces(
    'application/json',
    'text/csv',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  )
  @ApiEnvelope(RecipientViewDto, { message: 'Recipients retrieved', isArray: true, paged: true })
  @ApiErrors(400, 404)
  async recipients(
    @SessionParam() session: WhatsappSessionEntity,
    @Param('cid') campaignId: string,
    @Query() query: RecipientsQueryDto,
  ): Promise<PagedEnvelope<RecipientViewDto> | StreamableFile> {
    if (query.format === 'csv' || query.format === 'xlsx') {
      return this.reports.file(session.sessionId, campaignId, query.state, query.format);
    }
    const { data, meta } = await this.campaigns.recipientsOf(session.sessionId, campaignId, query);
    return paged('Recipients retrieved', data, meta);
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Envelope, ok, paged, PagedEnvelope } from '../common/http/envelope';
import { ApiEnvelope } from '../docs/api-envelope.decorator';
import { ApiErrors, ApiKeyAuth } from '../docs/api-docs.decorators';
import { SessionParam } from '../sessions/session-param.pipe';
import type { WhatsappSessionEntity } from '../whatsapp/whatsapp-session.entity';
import {
  DeliveriesQueryDto,
  WebhookDeliveryViewDto,
  WebhookPingViewDto,
} from './dto/webhook-delivery.dto';
import {
  CreatedWebhookViewDto,
  CreateWebhookDto,
  UpdateWebhookDto,
  WebhookViewDto,
} from './dto/webhook-target.dto';
import { WebhookDeliveriesService } from './webhook-deliveries.service';
import { toWebhookView, WebhookTargetsService } from './webhook-targets.service';

const ID_PARAM = { name: 'id', description: 'Session id', example: 'sales-1' };
const WEBHOOK_PARAM = {
  name: 'webhookId',
  description: 'Webhook target id (`global` is the WEBHOOK_URL target, read-only here)',
  example: '0b7c6f8e-2a64-4c0e-9a55-6f7f2d0d2a11',
};

@ApiTags('Webhooks')
@ApiKeyAuth()
@ApiParam(ID_PARAM)
@Controller('sessions/:id/webhooks')
export class WebhookTargetsController {
  constructor(
    private readonly targets: WebhookTargetsService,
    private readonly deliveries: WebhookDeliveriesService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Add a webhook target for the session (the secret is shown only here)' })
  @ApiEnvelope(CreatedWebhookViewDto, { status: 201, message: 'Webhook created' })
  @ApiErrors(400, 404)
  async create(
    @SessionParam() session: WhatsappSessionEntity,
    @Body() body: CreateWebhookDto,
  ): Promise<Envelope<CreatedWebhookViewDto>> {
    return ok('Webhook created', await this.targets.create(session.sessionId, body));
  }

  @Get()
  @ApiOperation({ summary: "The session's webhook targets" })
  @ApiEnvelope(WebhookViewDto, { message: 'Webhooks retrieved successfully', isArray: true })
  @ApiErrors(400, 404)
  async list(@SessionParam() session: WhatsappSessionEntity): Promise<Envelope<WebhookViewDto[]>> {
    return ok('Webhooks retrieved successfully', await this.targets.list(session.sessionId));
  }

  @Get(':webhookId')
  @ApiOperation({ summary: 'One webhook target' })
  @ApiParam(WEBHOOK_PARAM)
  @ApiEnvelope(WebhookViewDto, { message: 'Webhook retrieved successfully' })
  @ApiErrors(400, 404)
  async get(
    @SessionParam() session: WhatsappSessionEntity,
    @Param('webhookId') webhookId: string,
  ): Promise<Envelope<WebhookViewDto>> {
    const target = await this.targets.get(session.sessionId, webhookId);
    return ok('Webhook retrieved successfully', toWebhookView(target));
  }

  @Patch(':webhookId')
  @ApiOperation({ summary: 'Change a webhook target (applies to the next delivery)' })
  @ApiParam(WEBHOOK_PARAM)
  @ApiEnvelope(WebhookViewDto, { message: 'Webhook updated' })
  @ApiErrors(400, 404)
  async update(
    @SessionParam() session: WhatsappSessionEntity,
    @Param('webhookId') webhookId: string,
    @Body() body: UpdateWebhookDto,
  ): Promise<Envelope<WebhookViewDto>> {
    return ok('Webhook updated', await this.targets.update(session.sessionId, webhookId, body));
  }

  @Delete(':webhookId')
  @ApiOperation({ summary: 'Remove a webhook target and its queued deliveries' })
  @ApiParam(WEBHOOK_PARAM)
  @ApiEnvelope(WebhookViewDto, { message: 'Webhook deleted' })
  @ApiErrors(400, 404)
  async remove(
    @SessionParam() session: WhatsappSessionEntity,
    @Param('webhookId') webhookId: string,
  ): Promise<Envelope<null>> {
    await this.targets.remove(session.sessionId, webhookId);
    return ok('Webhook deleted', null);
  }

  @Post(':webhookId/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a target paused after repeated failures' })
  @ApiParam(WEBHOOK_PARAM)
  @ApiEnvelope(WebhookViewDto, { message: 'Webhook resumed' })
  @ApiErrors(400, 404)
  async resume(
    @SessionParam() session: WhatsappSessionEntity,
    @Param('webhookId') webhookId: string,
  ): Promise<Envelope<WebhookViewDto>> {
    return ok('Webhook resumed', await this.targets.resume(session.sessionId, webhookId));
  }

  @Post(':webhookId/test')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Send a signed test event now (outside the outbox) and report the answer',
  })
  @ApiParam(WEBHOOK_PARAM)
  @ApiEnvelope(WebhookPingViewDto, { message: 'Test event sent' })
  @ApiErrors(400, 404)
  async test(
    @SessionParam() session: WhatsappSessionEntity,
    @Param('webhookId') webhookId: string,
  ): Promise<Envelope<WebhookPingViewDto>> {
    return ok('Test event sent', await this.deliveries.ping(session.sessionId, webhookId));
  }

  @Get(':webhookId/deliveries')
  @ApiOperation({ summary: "The target's deliveries of this session's events, newest first" })
  @ApiParam(WEBHOOK_PARAM)
  @ApiEnvelope(WebhookDeliveryViewDto, {
    message: 'Deliveries retrieved successfully',
    isArray: true,
    paged: true,
  })
  @ApiErrors(400, 404)
  async deliveriesOf(
    @SessionParam() session: WhatsappSessionEntity,
    @Param('webhookId') webhookId: string,
    @Query() query: DeliveriesQueryDto,
  ): Promise<PagedEnvelope<WebhookDeliveryViewDto>> {
    const { data, meta } = await this.deliveries.list(session.sessionId, webhookId, query);
    return paged('Deliveries retrieved successfully', data, meta);
  }

  @Post(':webhookId/deliveries/:deliveryId/replay')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Queue a delivery again (same webhook-id, so receivers can deduplicate)',
  })
  @ApiParam(WEBHOOK_PARAM)
  @ApiParam({ name: 'deliveryId', example: '1842' })
  @ApiEnvelope(WebhookDeliveryViewDto, { message: 'Delivery queued again' })
  @ApiErrors(400, 404)
  async replay(
    @SessionParam() session: WhatsappSessionEntity,
    @Param('webhookId') webhookId: string,
    @Param('deliveryId') deliveryId: string,
  ): Promise<Envelope<WebhookDeliveryViewDto>> {
    return ok(
      'Delivery queued again',
      await this.deliveries.replay(session.sessionId, webhookId, deliveryId),
    );
  }
}

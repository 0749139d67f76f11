import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PaginationQueryDto } from '../../common/http/pagination';
import { DELIVERY_STATUSES } from '../entities/webhook-delivery.entity';
import type { DeliveryStatus } from '../entities/webhook-delivery.entity';

export class DeliveriesQueryDto extends PaginationQueryDto {
  /** Only deliveries in this status */
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;

  /** Only this 003 event type @example Message */
  @IsOptional()
  @IsString()
  @MaxLength(32)
  event_type?: string;
}

export class WebhookDeliveryViewDto {
  /** @example 1842 */
  id!: string;
  /** The Standard Webhooks webhook-id, the same on every attempt @example msg_2b0c5d1f8e6a4c3e9f1a7b2d4c6e8f0a */
  webhookId!: string;
  webhookTargetId!: string;
  sessionId!: string;
  /** @example Message */
  eventType!: string;
  /** @example delivered */
  status!: string;
  /** @example 1 */
  attempts!: number;
  /** @example 200 */
  lastStatusCode!: number | null;
  lastError!: string | null;
  /** @example 12 */
  lastDurationMs!: number | null;
  lastAttemptAt!: string | null;
  nextAttemptAt!: string | null;
  deliveredAt!: string | null;
  createdAt!: string;
  /** The body sent: the 003 envelope */
  payload!: unknown;
}

export class WebhookPingViewDto {
  /** @example 200 */
  statusCode!: number | null;
  error!: string | null;
  /** @example 8 */
  durationMs!: number;
  /** True for a 2xx answer */
  ok!: boolean;
}

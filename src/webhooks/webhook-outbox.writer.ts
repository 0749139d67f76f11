import { Injectable, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { EventOutbox, OutboxWriter } from '../whatsapp/events/event-outbox';
import type { GatewayEvent } from '../whatsapp/events/gateway-events';
import { QrImageService } from '../sessions/qr-image.service';
import { insertRows, type SqlValue } from '../database/bulk-sql';
import { toEnvelope } from './webhook-envelope';
import type { WebhookEventType } from './webhook-event-types';
import { WebhookTargetsService } from './webhook-targets.service';

/** The 003 type an event is reported as (decides which targets get it). */
export function webhookTypeOf(event: GatewayEvent): WebhookEventType {
  switch (event.kind) {
    case 'message':
      return 'Message';
    case 'message_status':
      return event.update.status === 'failed' ? 'MessageFailed' : 'ReadReceipt';
    case 'message_failed':
      return 'MessageFailed';
    case 'chat_presence':
      return event.presence.state === 'available' || event.presence.state === 'unavailable'
        ? 'Presence'
        : 'ChatPresence';
    case 'session_connected':
      return 'Connected';
    case 'session_disconnected':
      return 'Disconnected';
    case 'session_logged_out':
      return 'LoggedOut';
    case 'session_qr':
      return 'QR';
    case 'grab_completed':
      return 'GrabCompleted';
    case 'campaign_progress':
      return 'CampaignProgress';
    default: {
      const unreachable: never = event;
      throw new Error(`unknown gateway event ${JSON.stringify(unreachable)}`);
    }
  }
}

export function newWebhookId(): string {
  return `msg_${randomUUID().replace(/-/g, '')}`;
}

const DELIVERY_TABLE = 'webhook_deliveries';
/** The columns a new delivery row sets (the others keep their defaults). */
const DELIVERY_COLUMNS = [
  'webhook_id',
  'target_id',
  'session_id',
  'event_type',
  'payload',
  'status',
  'attempts',
  'next_attempt_at',
  'created_at',
  'updated_at',
];

/** Listeners told after a write (the dispatcher, to look sooner than its next poll). */
export type OutboxListener = () => void;

/**
 * Turns gateway events into `webhook_deliveries` rows, one per matching target, inside the
 * transaction that stores the change (registered with `EventOutbox`).
 */
@Injectable()
export class WebhookOutboxWriter implements OutboxWriter, OnModuleInit {
  private listener: OutboxListener | undefined;

  constructor(
    private readonly outbox: EventOutbox,
    private readonly targets: WebhookTargetsService,
    private readonly qrImages: QrImageService,
  ) {}

  onModuleInit(): void {
    this.outbox.register(this);
  }

  onWritten(listener: OutboxListener): void {
    this.listener = listener;
  }

  async write(manager: EntityManager, events: GatewayEvent[]): Promise<void> {
    const now = new Date();
    const rows: SqlValue[][] = [];
    for (const event of events) {
      const type = webhookTypeOf(event);
      const targets = this.targets.matching(event.sessionId, type);
      if (targets.length === 0) {
        continue;
      }
      const payload = JSON.stringify(await toEnvelope(event, (qr) => this.qrImages.dataUrl(qr)));
      for (const target of targets) {
        rows.push([
          newWebhookId(),
          target.id,
          event.sessionId,
          type,
          payload,
          'pending',
          0,
          now,
          now,
          now,
        ]);
      }
    }
    if (rows.length > 0) {
      await insertRows(manager, DELIVERY_TABLE, DELIVERY_COLUMNS, rows);
      const listener = this.listener;
      // After the caller's commit, most likely: the dispatcher polls again anyway
      setTimeout(() => listener?.(), 5).unref();
    }
  }
}

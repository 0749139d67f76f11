import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import { EventOutbox } from '../../whatsapp/events/event-outbox';
import type { GatewayEvent } from '../../whatsapp/events/gateway-events';
import {
  AccountInfo,
  SessionEvents,
  SessionStateChangedEvent,
} from '../../whatsapp/session-events';
import type { SessionPatch } from '../../whatsapp/session-records';
import { SessionRecords } from '../../whatsapp/session-records';
import type { SessionState, WhatsappSessionEntity } from '../../whatsapp/whatsapp-session.entity';
import { MalformedWebhookEvent } from '../webhook-errors';
import { Fields, isObject, optionalString, optionalTimestamp, phoneOfJid } from './ingest-fields';
import { dedupeKey, IngestReceipts } from './ingest-receipts';

/** 003: a QR code is valid for 60 s. */
export const INGEST_QR_TTL_MS = 60_000;

export const SESSION_EVENT_TYPES = [
  'Connected',
  'QR',
  'Disconnected',
  'LoggedOut',
  'QRTimeout',
  'PairSuccess',
] as const;
export type SessionEventType = (typeof SESSION_EVENT_TYPES)[number];

interface Plan {
  patch: SessionPatch & { state: SessionState };
  /** Identity for deduplication, when the event carries one. */
  identity: string | null;
  reported: GatewayEvent[];
  /** Domain events to publish after commit (what a Baileys session would publish). */
  publish: (row: Partial<WhatsappSessionEntity>) => [string, unknown][];
}

function accountOf(row: Partial<WhatsappSessionEntity>): AccountInfo {
  // The engine's Connected event does not carry the account: use what is known of it
  return {
    phoneNumber: row.phoneNumber ?? '',
    name: row.pushName ?? null,
    jid: row.jid ?? '',
    lid: row.lid ?? null,
    platform: row.platform ?? null,
  };
}

/**
 * Session-type 003 events (Connected, QR, Disconnected, LoggedOut, QRTimeout, PairSuccess):
 * stored in `whatsapp_sessions` (the row is created for an unknown token) with the outbox rows
 * in one transaction, then published as the session domain events a Baileys session publishes.
 */
@Injectable()
export class IngestSessionEvents {
  private readonly logger = new Logger('WebhookIngest');

  constructor(
    private readonly dataSource: DataSource,
    private readonly records: SessionRecords,
    private readonly outbox: EventOutbox,
    private readonly receipts: IngestReceipts,
    private readonly events: EventEmitter2,
  ) {}

  /** Applies the event; false when it had been applied already. */
  async apply(
    type: SessionEventType,
    sessionId: string,
    envelope: Fields,
    now = new Date(),
  ): Promise<boolean> {
    const plan = this.plan(type, sessionId, envelope, now);
    let before: WhatsappSessionEntity | null = null;
    let duplicate = false;
    await this.dataSource.transaction(async (manager) => {
      if (plan.identity !== null) {
        const key = dedupeKey(sessionId, type, plan.identity);
        if (!(await this.receipts.claim(key, sessionId, type, manager))) {
          duplicate = true;
          return;
        }
      }
      before = await this.records.upsertIn(manager, sessionId, plan.patch);
      const row = { ...(before ?? {}), ...plan.patch };
      const reported = plan.reported.map((event) =>
        event.kind === 'session_connected' ? { ...event, account: accountOf(row) } : event,
      );
      await this.outbox.record(manager, reported);
    });
    if (duplicate) {
      return false;
    }
    const previous = before as WhatsappSessionEntity | null;
    const row = { ...(previous ?? {}), ...plan.patch };
    const published: [string, unknown][] = [];
    const previousState = previous?.state ?? 'disconnected';
    if (previous === null || previousState !== plan.patch.state) {
      published.push([
        SessionEvents.StateChanged,
        {
          sessionId,
          state: plan.patch.state,
          previousState,
          reason: plan.patch.disconnectReason ?? null,
          at: now,
        } satisfies SessionStateChangedEvent,
      ]);
    }
    published.push(...plan.publish(row));
    this.logger.log(`[${sessionId}] ingested ${type}: ${previousState} -> ${plan.patch.state}`);
    for (const [name, payload] of published) {
      try {
        this.events.emit(name, payload);
      } catch (error) {
        this.logger.error(`[${sessionId}] a ${name} listener failed: ${String(error)}`);
      }
    }
    return true;
  }

  private plan(type: SessionEventType, sessionId: string, envelope: Fields, now: Date): Plan {
    const event = isObject(envelope.event) ? envelope.event : {};
    const at = optionalTimestamp(event, 'Timestamp', 'event') ?? now;
    const stamped = event.Timestamp === undefined ? null : at.toISOString();
    switch (type) {
      case 'Connected':
        return {
          patch: {
            state: 'connected',
            connectedAt: at,
            disconnectReason: null,
            qrCode: null,
            qrExpiresAt: null,
          },
          identity: stamped,
          reported: [{ kind: 'session_connected', sessionId, account: accountOf({}), at }],
          publish: (row) => [[SessionEvents.Connected, { sessionId, account: accountOf(row), at }]],
        };
      case 'QR': {
        const image = optionalString(envelope, 'qrCodeBase64', 'body');
        const code = typeof envelope.event === 'string' ? envelope.event : null;
        const qr = image ?? code;
        if (!qr) {
          throw new MalformedWebhookEvent(
            'a QR event needs qrCodeBase64 (a PNG data URL) or the code as event',
          );
        }
        const expiresAt = new Date(now.getTime() + INGEST_QR_TTL_MS);
        return {
          patch: { state: 'qr_waiting', qrCode: qr, qrExpiresAt: expiresAt },
          identity: qr,
          reported: [{ kind: 'session_qr', sessionId, qr, expiresAt }],
          publish: () => [[SessionEvents.Qr, { sessionId, qr, expiresAt }]],
        };
      }
      case 'Disconnected':
      case 'QRTimeout': {
        const reason =
          type === 'QRTimeout'
            ? 'QR code timed out (reported by the engine)'
            : (optionalString(event, 'Reason', 'event') ?? 'disconnected (reported by the engine)');
        return {
          patch: {
            state: 'disconnected',
            disconnectedAt: at,
            disconnectReason: reason,
            qrCode: null,
            qrExpiresAt: null,
          },
          identity: stamped,
          reported: [
            {
              kind: 'session_disconnected',
              sessionId,
              statusCode: null,
              reason,
              willReconnect: false,
              at,
            },
          ],
          publish: () => [
            [
              SessionEvents.Disconnected,
              { sessionId, statusCode: null, reason, willReconnect: false, loggedOut: false, at },
            ],
          ],
        };
      }
      case 'LoggedOut': {
        const reason =
          optionalString(event, 'Reason', 'event') ?? 'logged out (reported by the engine)';
        return {
          patch: {
            state: 'logged_out',
            disconnectedAt: at,
            disconnectReason: reason,
            autoStart: false,
            qrCode: null,
            qrExpiresAt: null,
          },
          identity: stamped,
          reported: [{ kind: 'session_logged_out', sessionId, reason, at }],
          publish: () => [
            [
              SessionEvents.Disconnected,
              { sessionId, statusCode: 401, reason, willReconnect: false, loggedOut: true, at },
            ],
          ],
        };
      }
      case 'PairSuccess': {
        const jid = optionalString(event, 'ID', 'event');
        return {
          patch: {
            state: 'connecting',
            jid,
            phoneNumber: jid ? phoneOfJid(jid) : null,
            pushName: optionalString(event, 'BusinessName', 'event'),
            platform: optionalString(event, 'Platform', 'event'),
            qrCode: null,
            qrExpiresAt: null,
          },
          identity: jid,
          reported: [],
          publish: () => [],
        };
      }
      default: {
        const unreachable: never = type;
        throw new Error(`unknown session event ${String(unreachable)}`);
      }
    }
  }
}

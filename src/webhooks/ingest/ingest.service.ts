import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { isValidSessionId } from '../../sessions/session-id';
import {
  ChatPresenceEvent,
  MessageEvents,
  MessagesUpsertedEvent,
  MessageStatusEvent,
} from '../../whatsapp/message-events';
import { SessionRecords } from '../../whatsapp/session-records';
import { WebhookMetrics } from '../delivery/webhook-metrics';
import { WebhookRawEventEntity } from '../entities/webhook-raw-event.entity';
import { MalformedWebhookEvent } from '../webhook-errors';
import { Fields, isObject, objectAt } from './ingest-fields';
import {
  chatPresenceFrom003,
  messageFrom003,
  presenceFrom003,
  statusUpdatesFrom003,
} from './ingest-mappers';
import { dedupeKey, IngestReceipts } from './ingest-receipts';
import {
  IngestSessionEvents,
  SESSION_EVENT_TYPES,
  SessionEventType,
} from './ingest-session-events';

export type IngestResult = 'stored' | 'duplicate' | 'raw';

export interface IngestOutcome {
  type: string;
  token: string;
  result: IngestResult;
}

const KNOWN_SESSIONS_MAX = 10_000;

/** Reads the 003 envelope from a JSON body or a form body (`jsonData=<json>&token=...`). */
export function envelopeOf(body: unknown): Fields {
  if (!isObject(body) || Object.keys(body).length === 0) {
    throw new MalformedWebhookEvent(
      'send the event as JSON {"type", "event", "token"} or form-encoded jsonData=<json>&token=<session id>',
    );
  }
  let envelope: Fields = body;
  if (typeof body.jsonData === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.jsonData);
    } catch (error) {
      throw new MalformedWebhookEvent(`jsonData is not valid JSON: ${(error as Error).message}`);
    }
    if (!isObject(parsed)) {
      throw new MalformedWebhookEvent('jsonData must be a JSON object');
    }
    envelope = { ...parsed };
    if (envelope.token === undefined && body.token !== undefined) {
      envelope.token = body.token;
    }
  }
  if (typeof envelope.type !== 'string' || !/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(envelope.type)) {
    throw new MalformedWebhookEvent('type must be an event type such as "Message"');
  }
  if (!isValidSessionId(envelope.token)) {
    throw new MalformedWebhookEvent(
      'token must be the session id: 1-100 characters from A-Z, a-z, 0-9, "_", "." and "-"',
    );
  }
  return envelope;
}

/**
 * POST /api/v1/webhook: 003 events from a wuzapi-style engine become the same engine events a
 * Baileys session produces. Message types are published on the bus and awaited (`emitAsync`:
 * the persisters store them, each in its own transaction with its outbox rows); session types
 * are stored here; types we do not model are kept raw.
 */
@Injectable()
export class IngestService {
  private readonly logger = new Logger('WebhookIngest');
  private readonly knownSessions = new Set<string>();

  constructor(
    private readonly events: EventEmitter2,
    private readonly receipts: IngestReceipts,
    private readonly sessionEvents: IngestSessionEvents,
    private readonly records: SessionRecords,
    private readonly metrics: WebhookMetrics,
    @InjectRepository(WebhookRawEventEntity)
    private readonly raw: Repository<WebhookRawEventEntity>,
  ) {}

  async ingest(body: unknown): Promise<IngestOutcome> {
    let type = 'invalid';
    try {
      const envelope = envelopeOf(body);
      type = envelope.type as string;
      const token = envelope.token as string;
      const result = await this.dispatch(type, token, envelope);
      this.metrics.ingested.inc({ type: this.typeLabel(type), result });
      return { type, token, result };
    } catch (error) {
      this.metrics.ingested.inc({
        type: this.typeLabel(type),
        result: error instanceof MalformedWebhookEvent ? 'rejected' : 'error',
      });
      throw error;
    }
  }

  private typeLabel(type: string): string {
    const known = ['Message', 'ReadReceipt', 'ChatPresence', 'Presence', 'invalid'];
    return known.includes(type) || (SESSION_EVENT_TYPES as readonly string[]).includes(type)
      ? type
      : 'other';
  }

  private async dispatch(type: string, token: string, envelope: Fields): Promise<IngestResult> {
    if ((SESSION_EVENT_TYPES as readonly string[]).includes(type)) {
      const applied = await this.sessionEvents.apply(type as SessionEventType, token, envelope);
      if (applied) {
        this.knownSessions.add(token);
      }
      return applied ? 'stored' : 'duplicate';
    }
    switch (type) {
      case 'Message': {
        const message = messageFrom003(token, objectAt(envelope, 'event', 'body'));
        return this.publishOnce(token, type, message.id, () =>
          this.events.emitAsync(MessageEvents.Upserted, {
            sessionId: token,
            messages: [message],
            source: 'ingest',
          } satisfies MessagesUpsertedEvent),
        );
      }
      case 'ReadReceipt': {
        const event = objectAt(envelope, 'event', 'body');
        const updates = statusUpdatesFrom003(token, event, envelope.state);
        if (!updates) {
          return this.storeRaw(token, type, envelope);
        }
        const identity = [
          updates[0].status,
          updates[0].participantJid ?? '',
          updates[0].at.toISOString(),
          ...updates.map((update) => update.messageId),
        ].join('|');
        return this.publishOnce(token, type, identity, () =>
          this.events.emitAsync(MessageEvents.StatusUpdated, {
            sessionId: token,
            updates,
            source: 'ingest',
          } satisfies MessageStatusEvent),
        );
      }
      case 'ChatPresence':
      case 'Presence': {
        const event = objectAt(envelope, 'event', 'body');
        const presence =
          type === 'ChatPresence'
            ? chatPresenceFrom003(token, event)
            : presenceFrom003(token, event);
        await this.ensureSession(token);
        await this.events.emitAsync(MessageEvents.Presence, {
          presence,
          source: 'ingest',
        } satisfies ChatPresenceEvent);
        return 'stored';
      }
      default:
        return this.storeRaw(token, type, envelope);
    }
  }

  /** Publishes an event with an identity once; forgets it again when storing it failed. */
  private async publishOnce(
    token: string,
    type: string,
    identity: string,
    publish: () => Promise<unknown>,
  ): Promise<IngestResult> {
    await this.ensureSession(token);
    const key = dedupeKey(token, type, identity);
    if (!(await this.receipts.claimSoon(key, token, type))) {
      return 'duplicate';
    }
    try {
      await publish();
    } catch (error) {
      await this.receipts.forget(key).catch(() => undefined);
      throw error;
    }
    return 'stored';
  }

  private async storeRaw(token: string, type: string, envelope: Fields): Promise<IngestResult> {
    await this.raw.insert({
      sessionId: token,
      eventType: type.slice(0, 64),
      payload: JSON.stringify(envelope),
      receivedAt: new Date(),
    });
    this.logger.debug?.(`[${token}] stored a raw ${type} event`);
    return 'raw';
  }

  /** An event naming an unknown session creates its row (an engine reporting messages is connected). */
  private async ensureSession(token: string): Promise<void> {
    if (this.knownSessions.has(token)) {
      return;
    }
    if (!(await this.records.find(token))) {
      await this.records.createIfMissing(token, 'connected');
      this.logger.log(`[${token}] session created by an ingested event`);
    }
    if (this.knownSessions.size >= KNOWN_SESSIONS_MAX) {
      this.knownSessions.clear();
    }
    this.knownSessions.add(token);
  }
}

import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { EntityManager, QueryFailedError, Repository } from 'typeorm';
import { insertRows, placeholders } from '../../database/bulk-sql';
import { WebhookIngestReceiptEntity } from '../entities/webhook-ingest-receipt.entity';

function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) {
    return false;
  }
  const code = (error.driverError as { code?: string } | undefined)?.code ?? '';
  return code === 'ER_DUP_ENTRY' || code.startsWith('SQLITE_CONSTRAINT');
}

export function dedupeKey(sessionId: string, type: string, identity: string): string {
  return createHash('sha256').update(`${sessionId}\u0000${type}\u0000${identity}`).digest('hex');
}

interface Waiting {
  key: string;
  sessionId: string;
  eventType: string;
  resolve: (fresh: boolean) => void;
  reject: (error: unknown) => void;
}

/** Claims arriving within this window share one INSERT (one commit) on the hot ingest path. */
const BATCH_WINDOW_MS = 2;
const BATCH_MAX = 500;

/** Remembers ingested events by identity, so one delivered twice is applied once. */
@Injectable()
export class IngestReceipts {
  private waiting: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @InjectRepository(WebhookIngestReceiptEntity)
    private readonly repository: Repository<WebhookIngestReceiptEntity>,
  ) {}

  /** True when this is the first time (`manager`: inside the caller's transaction). */
  async claim(
    key: string,
    sessionId: string,
    eventType: string,
    manager: EntityManager = this.repository.manager,
  ): Promise<boolean> {
    try {
      await manager.insert(WebhookIngestReceiptEntity, {
        dedupeKey: key,
        sessionId,
        eventType,
        receivedAt: new Date(),
      });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) {
        return false;
      }
      throw error;
    }
  }

  /**
   * `claim` outside a transaction, batched: concurrent claims are written with one multi-row
   * INSERT. Two processes claiming the same key in the same instant may both see it as new; the
   * persisters' upserts keep that idempotent.
   */
  claimSoon(key: string, sessionId: string, eventType: string): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.waiting.push({ key, sessionId, eventType, resolve, reject });
      if (this.waiting.length >= BATCH_MAX) {
        this.flush();
      } else {
        this.timer ??= setTimeout(() => this.flush(), BATCH_WINDOW_MS);
      }
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.waiting.splice(0);
    if (batch.length > 0) {
      this.writeBatch(batch).catch((error: unknown) => batch.forEach((w) => w.reject(error)));
    }
  }

  private async writeBatch(batch: Waiting[]): Promise<void> {
    const keys = [...new Set(batch.map((w) => w.key))];
    const known = await this.repository.manager.query<{ dedupe_key: string }[]>(
      `SELECT dedupe_key FROM webhook_ingest_receipts WHERE dedupe_key IN (${placeholders(keys)})`,
      keys,
    );
    const seen = new Set(known.map((row) => row.dedupe_key));
    const fresh: Waiting[] = [];
    const repeated: Waiting[] = [];
    for (const waiting of batch) {
      (seen.has(waiting.key) ? repeated : fresh).push(waiting);
      seen.add(waiting.key);
    }
    if (fresh.length > 0) {
      const receivedAt = new Date();
      await insertRows(
        this.repository.manager,
        'webhook_ingest_receipts',
        ['dedupe_key', 'session_id', 'event_type', 'received_at'],
        fresh.map(({ key, sessionId, eventType }) => [key, sessionId, eventType, receivedAt]),
        { ignore: true },
      );
    }
    fresh.forEach((w) => w.resolve(true));
    repeated.forEach((w) => w.resolve(false));
  }

  /** Forgets a claim whose event could not be stored, so a retry by the engine is applied. */
  async forget(key: string): Promise<void> {
    await this.repository.delete({ dedupeKey: key });
  }
}

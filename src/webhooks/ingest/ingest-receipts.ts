import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { EntityManager, QueryFailedError, Repository } from 'typeorm';
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

/** Remembers ingested events by identity, so one delivered twice is applied once. */
@Injectable()
export class IngestReceipts {
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

  /** Forgets a claim whose event could not be stored, so a retry by the engine is applied. */
  async forget(key: string): Promise<void> {
    await this.repository.delete({ dedupeKey: key });
  }
}

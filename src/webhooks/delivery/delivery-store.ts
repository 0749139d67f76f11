import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, Repository } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { engineOfManager, placeholders, type SqlValue, toParameter } from '../../database/bulk-sql';
import type { Engine } from '../../database/column-types';
import { WebhookDeliveryEntity } from '../entities/webhook-delivery.entity';

/** One session+target queue: its deliveries go out one at a time, in id order. */
export interface QueueKey {
  targetId: string;
  sessionId: string;
}

export function queueKeyOf(row: QueueKey): string {
  return `${row.targetId}\u0000${row.sessionId}`;
}

export interface AttemptOutcome {
  id: string;
  status: 'pending' | 'delivered' | 'failed';
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  at: Date;
  /** For a retry: when to try again. */
  nextAttemptAt?: Date;
}

/** What the dispatcher needs of a claimed row. */
export type ClaimedDelivery = Pick<
  WebhookDeliveryEntity,
  | 'id'
  | 'webhookId'
  | 'targetId'
  | 'sessionId'
  | 'eventType'
  | 'payload'
  | 'attempts'
  | 'nextAttemptAt'
>;

const CLAIMED_PROPERTIES = [
  'id',
  'webhookId',
  'targetId',
  'sessionId',
  'eventType',
  'payload',
  'attempts',
  'nextAttemptAt',
] as const satisfies readonly (keyof ClaimedDelivery)[];

interface PendingOutcomes {
  outcomes: AttemptOutcome[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The SQL of the outbox queue. Claims are leases (owner + expiry) taken with a conditional
 * UPDATE, so two processes on one database never hold the same row; a lease left by a killed
 * process expires and the row is claimed again. The statements every delivery goes through (the
 * heads, the claim, a batch's successes) are plain SQL: TypeORM's query builder cost several
 * times the statement itself, on a path every ingested and every native event takes.
 */
@Injectable()
export class DeliveryStore {
  /** Batches' outcomes waiting to be written, by lease owner. */
  private readonly pendingOutcomes = new Map<string, PendingOutcomes[]>();
  private outcomesFlushing = false;
  private claimed?: ColumnMetadata[];
  private readonly engine: Engine;

  constructor(
    @InjectRepository(WebhookDeliveryEntity)
    private readonly repository: Repository<WebhookDeliveryEntity>,
  ) {
    this.engine = engineOfManager(repository.manager);
  }

  private get table(): string {
    return this.repository.metadata.tablePath;
  }

  /** A value as the driver stores it (SQLite's dates as TypeORM's UTC text). */
  private parameter(value: SqlValue): SqlValue {
    return toParameter(this.engine, value);
  }

  /** The columns of a claimed row (looked up once). */
  private claimedColumns(): ColumnMetadata[] {
    this.claimed ??= CLAIMED_PROPERTIES.map((property) => {
      const column = this.repository.metadata.findColumnWithPropertyName(property);
      if (!column) {
        throw new Error(`webhook_deliveries has no column for ${property}`);
      }
      return column;
    });
    return this.claimed;
  }

  /** The first pending row of every queue (its head: nothing behind it may go first). */
  async heads(): Promise<(QueueKey & { id: string })[]> {
    const rows = await this.repository.query<
      { targetId: string; sessionId: string; id: string | number }[]
    >(
      `SELECT target_id AS targetId, session_id AS sessionId, MIN(id) AS id FROM ${this.table} ` +
        `WHERE status = 'pending' GROUP BY target_id, session_id`,
    );
    return rows.map((row) => ({ ...row, id: String(row.id) }));
  }

  /** Of these head ids, the ones due now and not leased by a live claim. */
  async claimableHeads(ids: string[], now: Date): Promise<Set<string>> {
    if (ids.length === 0) {
      return new Set();
    }
    const rows = await this.repository.query<{ id: string | number }[]>(
      `SELECT id FROM ${this.table} WHERE id IN (${placeholders(ids)}) ` +
        `AND status = 'pending' AND next_attempt_at <= ? ` +
        `AND (lease_owner IS NULL OR lease_expires_at < ?)`,
      [...ids, this.parameter(now), this.parameter(now)],
    );
    return new Set(rows.map((row) => String(row.id)));
  }

  /** The first `limit` pending ids of a queue. */
  async queueIds(key: QueueKey, limit: number): Promise<string[]> {
    const rows = await this.repository
      .createQueryBuilder('d')
      .select('d.id', 'id')
      .where({ status: 'pending', targetId: key.targetId, sessionId: key.sessionId })
      .orderBy('d.id', 'ASC')
      .limit(limit)
      .getRawMany<{ id: string | number }>();
    return rows.map((row) => String(row.id));
  }

  /**
   * The first `limit` pending ids of each of these queues, in one query (one `LIMIT` per
   * queue, so a deep queue does not crowd out the others).
   */
  async firstIdsOf(queues: QueueKey[], limit: number): Promise<string[]> {
    if (queues.length === 0) {
      return [];
    }
    const table = this.repository.metadata.tablePath;
    const part =
      `SELECT * FROM (SELECT id FROM ${table} WHERE status = 'pending' AND target_id = ? ` +
      `AND session_id = ? ORDER BY id ASC LIMIT ${Math.floor(limit)}) q`;
    const rows = await this.repository.query<{ id: string | number }[]>(
      queues.map((_, index) => part.replace(' q', ` q${index}`)).join(' UNION ALL '),
      queues.flatMap((queue) => [queue.targetId, queue.sessionId]),
    );
    return rows.map((row) => String(row.id));
  }

  /** Leases those of `ids` nobody holds; returns the rows this claim got, in id order. */
  async claim(
    ids: string[],
    owner: string,
    now: Date,
    leaseMs: number,
  ): Promise<ClaimedDelivery[]> {
    if (ids.length === 0) {
      return [];
    }
    const list = placeholders(ids);
    await this.repository.query(
      `UPDATE ${this.table} SET lease_owner = ?, lease_expires_at = ? ` +
        `WHERE id IN (${list}) AND status = 'pending' ` +
        `AND (lease_owner IS NULL OR lease_expires_at < ?)`,
      [owner, this.parameter(new Date(now.getTime() + leaseMs)), ...ids, this.parameter(now)],
    );
    const columns = this.claimedColumns();
    const rows = await this.repository.query<Record<string, unknown>[]>(
      `SELECT ${columns.map((column) => column.databaseName).join(', ')} FROM ${this.table} ` +
        `WHERE id IN (${list}) AND lease_owner = ? ORDER BY id ASC`,
      [...ids, owner],
    );
    // each value as TypeORM hydrates it (dates from SQLite's text, MySQL's BIGINT as a string)
    const { driver } = this.repository.manager.connection;
    return rows.map(
      (row) =>
        Object.fromEntries(
          columns.map((column) => [
            column.propertyName,
            driver.prepareHydratedValue(row[column.databaseName], column),
          ]),
        ) as ClaimedDelivery,
    );
  }

  async extendLease(ids: string[], owner: string, until: Date): Promise<void> {
    if (ids.length > 0) {
      await this.repository.update({ id: In(ids), leaseOwner: owner }, { leaseExpiresAt: until });
    }
  }

  /** Gives rows back to the queue untouched (claimed but not attempted). */
  async release(ids: string[], owner: string): Promise<void> {
    if (ids.length > 0) {
      await this.repository.update(
        { id: In(ids), leaseOwner: owner },
        { leaseOwner: null, leaseExpiresAt: null },
      );
    }
  }

  /**
   * Stores the attempts of one batch; each row's lease ends with it. Batches that end while
   * others are being written are written together, in one transaction (queues that get one
   * delivery at a time are the common case); if that fails, each batch is written on its own.
   */
  saveOutcomes(outcomes: AttemptOutcome[], owner: string): Promise<void> {
    if (outcomes.length === 0) {
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const pending = this.pendingOutcomes.get(owner) ?? [];
      pending.push({ outcomes, resolve, reject });
      this.pendingOutcomes.set(owner, pending);
      if (!this.outcomesFlushing) {
        this.outcomesFlushing = true;
        setImmediate(() => void this.flushOutcomes());
      }
    });
  }

  private async flushOutcomes(): Promise<void> {
    try {
      while (this.pendingOutcomes.size > 0) {
        const batches = [...this.pendingOutcomes];
        this.pendingOutcomes.clear();
        for (const [owner, calls] of batches) {
          try {
            await this.writeOutcomes(
              calls.flatMap((call) => call.outcomes),
              owner,
            );
            calls.forEach((call) => call.resolve());
          } catch {
            for (const call of calls) {
              await this.writeOutcomes(call.outcomes, owner).then(call.resolve, call.reject);
            }
          }
        }
      }
    } finally {
      this.outcomesFlushing = false;
    }
  }

  /**
   * Writes attempts in one transaction. Rows delivered with a plain 200 share one UPDATE, with
   * the time of the last of them and their mean duration.
   */
  private async writeOutcomes(outcomes: AttemptOutcome[], owner: string): Promise<void> {
    // Plain successes (the bulk of a healthy queue) are one UPDATE; the rest one each
    const plain = outcomes.filter((o) => o.status === 'delivered' && o.statusCode === 200);
    const others = outcomes.filter((o) => !plain.includes(o));
    await this.repository.manager.transaction(async (manager) => {
      if (plain.length > 0) {
        const at = this.parameter(plain[plain.length - 1].at);
        const duration = Math.round(plain.reduce((sum, o) => sum + o.durationMs, 0) / plain.length);
        await manager.query(
          `UPDATE ${this.table} SET status = 'delivered', attempts = attempts + 1, ` +
            `last_status_code = 200, last_error = NULL, last_duration_ms = ?, last_attempt_at = ?, ` +
            `delivered_at = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ? ` +
            `WHERE id IN (${placeholders(plain)}) AND lease_owner = ?`,
          [duration, at, at, at, ...plain.map((o) => o.id), owner],
        );
      }
      for (const outcome of others) {
        await manager
          .createQueryBuilder()
          .update(WebhookDeliveryEntity)
          .set({
            status: outcome.status,
            attempts: () => 'attempts + 1',
            lastStatusCode: outcome.statusCode,
            lastError: outcome.error?.slice(0, 500) ?? null,
            lastDurationMs: outcome.durationMs,
            lastAttemptAt: outcome.at,
            deliveredAt: outcome.status === 'delivered' ? outcome.at : null,
            nextAttemptAt: outcome.nextAttemptAt ?? outcome.at,
            leaseOwner: null,
            leaseExpiresAt: null,
            updatedAt: outcome.at,
          })
          .where({ id: outcome.id, leaseOwner: owner })
          .execute();
      }
    });
  }

  /** Queues a delivery again (same webhook-id), as if new. */
  async replay(id: string, now: Date): Promise<void> {
    await this.repository.update(
      { id },
      {
        status: 'pending',
        nextAttemptAt: now,
        leaseOwner: null,
        leaseExpiresAt: null,
        updatedAt: now,
      },
    );
  }

  /** Rows whose lease had run out at start: left in flight by a process that is gone. */
  countExpiredLeases(now: Date): Promise<number> {
    return this.repository.count({
      where: { status: 'pending', leaseExpiresAt: LessThan(now) },
    });
  }

  /** Deletes delivered rows last updated before `before`; returns how many. */
  async pruneDelivered(before: Date, limit = 5000): Promise<number> {
    const rows = await this.repository.find({
      select: { id: true },
      where: { status: 'delivered', updatedAt: LessThan(before) },
      take: limit,
    });
    if (rows.length > 0) {
      await this.repository.delete({ id: In(rows.map((row) => row.id)) });
    }
    return rows.length;
  }

  async queueStats(): Promise<{ pending: number; oldest: Date | null }> {
    const row = await this.repository
      .createQueryBuilder('d')
      .select('COUNT(*)', 'pending')
      .addSelect('MIN(d.created_at)', 'oldest')
      .where('d.status = :status', { status: 'pending' })
      .getRawOne<{ pending: string | number; oldest: string | Date | null }>();
    const oldest = row?.oldest ?? null;
    return {
      pending: Number(row?.pending ?? 0),
      oldest:
        oldest === null
          ? null
          : oldest instanceof Date
            ? oldest
            : new Date(/Z|[+-]\d\d:?\d\d$/.test(oldest) ? oldest : `${oldest.replace(' ', 'T')}Z`),
    };
  }
}

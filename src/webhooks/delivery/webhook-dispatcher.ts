import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import type { WebhookTargetEntity } from '../entities/webhook-target.entity';
import { WebhookOutboxWriter } from '../webhook-outbox.writer';
import { WebhookTargetsService } from '../webhook-targets.service';
import {
  AttemptOutcome,
  ClaimedDelivery,
  DeliveryStore,
  QueueKey,
  queueKeyOf,
} from './delivery-store';
import { decideAttempt, RetryLimits } from './retry-policy';
import { attemptLabel, WebhookMetrics } from './webhook-metrics';
import { WebhookSender } from './webhook-sender';

/** Deliveries of one queue claimed together (sent one after the other). */
const BATCH_SIZE = 50;
/**
 * Full batches a queue works in a row before it gives its slot back: a deep queue goes on
 * without a fresh look at every queue's head in between, and still cannot starve the others.
 */
const BATCHES_IN_A_ROW = 8;

export interface PingResult {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  /** What was sent, for the delivery log */
  webhookId: string;
  payload: string;
}

/**
 * Delivers the outbox. Each session+target queue is worked by at most one batch at a time,
 * anywhere (its head row's lease), so a later event never overtakes an earlier one that is
 * being retried; up to WEBHOOK_CONCURRENCY queues are worked at once.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly logger = new Logger('WebhookDispatcher');
  private readonly active = new Map<string, Promise<void>>();
  private readonly sender: WebhookSender;
  private readonly limits: RetryLimits;
  private timer: NodeJS.Timeout | undefined;
  private filling = false;
  private fillAgain = false;
  private stopped = false;

  constructor(
    private readonly config: AppConfig,
    private readonly store: DeliveryStore,
    private readonly targets: WebhookTargetsService,
    private readonly metrics: WebhookMetrics,
    writer: WebhookOutboxWriter,
  ) {
    const { timeoutMs, concurrency, maxAttempts, retryBaseDelayMs, retryMaxDelayMs } =
      config.webhooks;
    this.sender = new WebhookSender(timeoutMs, concurrency);
    this.limits = { maxAttempts, baseDelayMs: retryBaseDelayMs, maxDelayMs: retryMaxDelayMs };
    writer.onWritten(() => this.wake());
  }

  async onApplicationBootstrap(): Promise<void> {
    const recovered = await this.store.countExpiredLeases(new Date());
    if (recovered > 0) {
      this.logger.warn(
        `${recovered} webhook deliveries were left in flight; delivering them again`,
      );
    }
    this.timer = setInterval(() => this.wake(), this.config.webhooks.pollIntervalMs);
    this.timer.unref();
    this.wake();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.allSettled([...this.active.values()]);
    await this.sender.close();
  }

  /** Looks for work now (new rows, a finished batch, the poll timer). */
  wake(): void {
    if (this.stopped) {
      return;
    }
    if (this.filling) {
      this.fillAgain = true;
      return;
    }
    this.filling = true;
    this.fill()
      .catch((error: unknown) => this.logger.error(`dispatch failed: ${String(error)}`))
      .finally(() => {
        this.filling = false;
        if (this.fillAgain) {
          this.fillAgain = false;
          this.wake();
        }
      });
  }

  /** One attempt to a target outside the outbox: tells whether it is reachable and accepts. */
  async ping(target: WebhookTargetEntity, sessionId: string): Promise<PingResult> {
    const body = JSON.stringify({
      type: 'Test',
      token: sessionId,
      event: { Message: 'wa-gateway webhook test', Timestamp: new Date().toISOString() },
    });
    const started = performance.now();
    const webhookId = `msg_test_${randomUUID().replace(/-/g, '')}`;
    const result = await this.sender.send({
      url: target.url,
      secret: target.secret,
      webhookId,
      body,
    });
    const durationMs = Math.round(performance.now() - started);
    const sent = { durationMs, webhookId, payload: body };
    return result.kind === 'response'
      ? { ...sent, statusCode: result.statusCode, error: null }
      : { ...sent, statusCode: null, error: result.timedOut ? 'timed out' : result.message };
  }

  private async fill(): Promise<void> {
    const free = this.config.webhooks.concurrency - this.active.size;
    if (free <= 0) {
      return;
    }
    const heads = (await this.store.heads()).filter(
      (head) => !this.active.has(queueKeyOf(head)) && this.deliverable(head.targetId),
    );
    const claimable = await this.store.claimableHeads(
      heads.map((head) => head.id),
      new Date(),
    );
    const chosen = heads.filter((head) => claimable.has(head.id)).slice(0, free);
    if (chosen.length === 0) {
      return;
    }
    // The first batch of every chosen queue is looked up and claimed at once: most queues hold
    // one or two rows, and a claim per queue would cost more queries than the deliveries
    const claimed = await this.store.claim(
      await this.store.firstIdsOf(chosen, BATCH_SIZE),
      this.owner,
      new Date(),
      this.config.webhooks.leaseMs,
    );
    const byQueue = new Map<string, ClaimedDelivery[]>();
    for (const row of claimed) {
      const key = queueKeyOf(row);
      byQueue.set(key, [...(byQueue.get(key) ?? []), row]);
    }
    const notOurs: string[] = [];
    for (const head of chosen) {
      const key = queueKeyOf(head);
      const rows = byQueue.get(key) ?? [];
      if (rows.length === 0 || String(rows[0].id) !== head.id) {
        // Someone else got the head first (or it changed): this queue is not ours to work now
        notOurs.push(...rows.map((row) => row.id));
        continue;
      }
      const run = this.runQueue(head, rows)
        .catch((error: unknown) => {
          this.logger.error(`webhook queue ${head.targetId}/${head.sessionId}: ${String(error)}`);
          return 0;
        })
        .then((attempted) => {
          this.active.delete(key);
          // A batch that sent nothing waits for the poll timer: no busy loop on a contended queue
          if (attempted > 0) {
            this.wake();
          }
        });
      this.active.set(key, run);
    }
    await this.store.release(notOurs, this.owner);
  }

  private deliverable(targetId: string): WebhookTargetEntity | undefined {
    const target = this.targets.cached(targetId);
    return target && target.enabled && target.pausedAt === null ? target : undefined;
  }

  /**
   * Works one queue: its first batch (claimed by `fill`) and, while each batch was full and all
   * delivered, the next ones (up to BATCHES_IN_A_ROW); returns how many were attempted.
   */
  private async runQueue(queue: QueueKey, first: ClaimedDelivery[]): Promise<number> {
    let result = await this.deliverBatch(queue, first);
    let attempted = result.attempted;
    for (
      let batch = 1;
      batch < BATCHES_IN_A_ROW &&
      !this.stopped &&
      result.drained &&
      result.attempted === BATCH_SIZE;
      batch++
    ) {
      // The rows after this batch are the queue's head now; whoever claims them first has it
      result = await this.runBatch(queue);
      attempted += result.attempted;
    }
    return attempted;
  }

  /**
   * Claims and works a queue's next rows: the first rows it can claim, which are the head when
   * the previous batch of this worker ended with every row delivered.
   */
  private async runBatch(queue: QueueKey): Promise<{ attempted: number; drained: boolean }> {
    const ids = await this.store.queueIds(queue, BATCH_SIZE);
    const now = new Date();
    const rows = await this.store.claim(ids, this.owner, now, this.config.webhooks.leaseMs);
    if (
      rows.length === 0 ||
      String(rows[0].id) !== ids[0] ||
      // A head waiting for its retry (another worker's attempt in between) waits for `fill`
      rows[0].nextAttemptAt > now
    ) {
      // Someone else holds the head (or it changed): this queue is not ours to work now
      await this.store.release(
        rows.map((row) => row.id),
        this.owner,
      );
      return { attempted: 0, drained: false };
    }
    return this.deliverBatch(queue, rows);
  }

  /** Sends claimed rows in order, stops at the first that must wait, stores the outcomes. */
  private async deliverBatch(
    queue: QueueKey,
    rows: ClaimedDelivery[],
  ): Promise<{ attempted: number; drained: boolean }> {
    const { leaseMs, timeoutMs } = this.config.webhooks;
    let leaseUntil = Date.now() + leaseMs;
    const outcomes: AttemptOutcome[] = [];
    let index = 0;
    for (; index < rows.length; index++) {
      const target = this.deliverable(queue.targetId);
      if (!target || this.stopped) {
        break;
      }
      if (leaseUntil - Date.now() < timeoutMs + 1000) {
        leaseUntil = Date.now() + leaseMs;
        await this.store.extendLease(
          rows.slice(index).map((row) => row.id),
          this.owner,
          new Date(leaseUntil),
        );
      }
      const outcome = await this.attempt(rows[index], target);
      outcomes.push(outcome);
      if (outcome.status === 'pending') {
        index++;
        break;
      }
    }
    await this.store.saveOutcomes(outcomes, this.owner);
    await this.store.release(
      rows.slice(index).map((row) => row.id),
      this.owner,
    );
    const drained =
      index === rows.length && outcomes.every((outcome) => outcome.status === 'delivered');
    return { attempted: outcomes.length, drained };
  }

  private async attempt(
    row: ClaimedDelivery,
    target: WebhookTargetEntity,
  ): Promise<AttemptOutcome> {
    const at = new Date();
    const started = performance.now();
    const result = await this.sender.send(
      { url: target.url, secret: target.secret, webhookId: row.webhookId, body: row.payload },
      at,
    );
    const durationMs = Math.round(performance.now() - started);
    const statusCode = result.kind === 'response' ? result.statusCode : null;
    const label = attemptLabel(statusCode, result.kind === 'error' && result.timedOut);
    this.metrics.attempts.inc({ result: label });
    this.metrics.latency.observe({ result: label }, durationMs / 1000);
    const decision = decideAttempt(result, row.attempts + 1, this.limits);
    const base = { id: row.id, statusCode, durationMs, at };
    switch (decision.action) {
      case 'delivered':
        this.metrics.deliveries.inc({ outcome: 'delivered' });
        await this.targets.recordSuccess(target.id);
        return { ...base, status: 'delivered', error: null };
      case 'retry':
        await this.targets.recordFailure(target.id, decision.reason);
        return {
          ...base,
          status: 'pending',
          error: decision.reason,
          nextAttemptAt: new Date(Date.now() + decision.delayMs),
        };
      case 'fail':
        this.metrics.deliveries.inc({ outcome: 'failed' });
        await this.targets.recordFailure(target.id, decision.reason);
        this.logger.warn(
          `webhook delivery ${row.id} (${row.eventType} of ${row.sessionId}) failed: ${decision.reason}`,
        );
        return { ...base, status: 'failed', error: decision.reason };
      default: {
        const unreachable: never = decision;
        throw new Error(`unknown decision ${JSON.stringify(unreachable)}`);
      }
    }
  }
}

import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsService } from '../../metrics/metrics.service';
import { DeliveryStore } from './delivery-store';

/** Outbound webhook metrics in the app's Prometheus registry. */
@Injectable()
export class WebhookMetrics {
  readonly deliveries: Counter<'outcome'>;
  readonly attempts: Counter<'result'>;
  readonly latency: Histogram<'result'>;
  readonly ingested: Counter<'type' | 'result'>;

  constructor(metrics: MetricsService, store: DeliveryStore) {
    const registers = [metrics.registry];
    this.deliveries = new Counter({
      name: 'webhook_deliveries_total',
      help: 'Webhook deliveries finished, by outcome (delivered, failed)',
      labelNames: ['outcome'],
      registers,
    });
    this.attempts = new Counter({
      name: 'webhook_delivery_attempts_total',
      help: 'Webhook delivery attempts, by result (2xx, 4xx, 5xx, error, timeout)',
      labelNames: ['result'],
      registers,
    });
    this.latency = new Histogram({
      name: 'webhook_delivery_duration_seconds',
      help: 'Duration of one webhook delivery attempt, by result',
      labelNames: ['result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.ingested = new Counter({
      name: 'webhook_ingest_events_total',
      help: 'Events received on POST /api/v1/webhook, by 003 type and result',
      labelNames: ['type', 'result'],
      registers,
    });
    let stats: Promise<{ pending: number; oldest: Date | null }> | undefined;
    // One query per scrape feeds both gauges
    const queueStats = () => {
      stats ??= store.queueStats().finally(() => setTimeout(() => (stats = undefined), 100));
      return stats;
    };
    new Gauge({
      name: 'webhook_queue_depth',
      help: 'Webhook deliveries pending (queued or waiting for a retry)',
      registers,
      async collect() {
        this.set((await queueStats()).pending);
      },
    });
    new Gauge({
      name: 'webhook_queue_oldest_pending_age_seconds',
      help: 'Age of the oldest pending webhook delivery (0 when none)',
      registers,
      async collect() {
        const { oldest } = await queueStats();
        this.set(oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0);
      },
    });
  }
}

/** The result label of one attempt. */
export function attemptLabel(statusCode: number | null, timedOut: boolean): string {
  if (statusCode === null) {
    return timedOut ? 'timeout' : 'error';
  }
  return `${Math.floor(statusCode / 100)}xx`;
}

import { DataSource } from 'typeorm';
import { WebhookDeliveryEntity } from '../../src/webhooks/entities/webhook-delivery.entity';
import { WebhookIngestReceiptEntity } from '../../src/webhooks/entities/webhook-ingest-receipt.entity';
import { WebhookRawEventEntity } from '../../src/webhooks/entities/webhook-raw-event.entity';
import { WebhookPruner } from '../../src/webhooks/webhook-pruner';
import { MESSAGE } from '../support/samples-003';
import { startTestApp, TestApp } from '../support/test-app';
import { testTier } from '../support/test-database';
import { WebhookReceiver } from '../support/webhook-receiver';

/**
 * Retention (WEBHOOK_RETENTION_HOURS, WEBHOOK_RAW_RETENTION_HOURS): delivered rows older than it
 * are deleted; pending and failed rows stay whatever their age (they are the audit of what did
 * not arrive), and so do recent delivered ones.
 */

const HOUR_MS = 3_600_000;
const SESSION = 'prune-1';

describe(`pruning of delivered webhooks (${testTier()})`, () => {
  let gateway: TestApp;
  let receiver: WebhookReceiver;
  const deliveries = () => gateway.app.get(DataSource).getRepository(WebhookDeliveryEntity);
  const count = (entity: typeof WebhookRawEventEntity | typeof WebhookIngestReceiptEntity) =>
    gateway.app.get(DataSource).getRepository(entity).count();

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    // the receiver refuses what goes to /refuse with a 400: not retried, failed
    receiver.answer = (request) => (request.path === '/refuse' ? 400 : 200);
    gateway = await startTestApp({
      WEBHOOK_POLL_INTERVAL_MS: '50',
      WEBHOOK_RETENTION_HOURS: '24',
      WEBHOOK_RAW_RETENTION_HOURS: '48',
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await receiver?.stop();
  });

  it('deletes delivered rows past the retention and keeps pending, failed and recent ones', async () => {
    const connected = (second: number) =>
      gateway.post('/api/v1/webhook', {
        type: 'Connected',
        token: SESSION,
        event: { Timestamp: `2025-08-14T07:00:0${second}.000Z` },
      });
    expect((await connected(0)).status).toBe(200);
    for (const path of ['/accept', '/refuse']) {
      const target = await gateway.post(`/sessions/${SESSION}/webhooks`, {
        url: `${receiver.url}${path}`,
        events: ['Connected'],
      });
      expect(target.status).toBe(201);
    }
    for (const second of [1, 2, 3]) {
      expect((await connected(second)).status).toBe(200);
    }
    // a Message leaves an ingest receipt, an unmodelled type a raw event
    expect((await gateway.post('/api/v1/webhook', MESSAGE)).status).toBe(200);
    expect(
      (await gateway.post('/api/v1/webhook', { type: 'Blocklist', token: SESSION, event: {} }))
        .status,
    ).toBe(200);
    await receiver.count(() => true, 6);
    // The outcomes are stored just after the answers (no event tells when): a bounded poll
    const deadline = Date.now() + 10_000;
    const settled = async () =>
      (await deliveries().countBy({ status: 'pending' })) === 0 || Date.now() > deadline;
    while (!(await settled())) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // and one row still pending (a target that is gone: nothing will ever claim it)
    const old = new Date(Date.now() - 30 * 24 * HOUR_MS);
    await deliveries().insert({
      webhookId: 'msg_pending_forever',
      targetId: '00000000-0000-0000-0000-000000000000',
      sessionId: SESSION,
      eventType: 'Connected',
      payload: '{}',
      status: 'pending',
      attempts: 3,
      nextAttemptAt: old,
      createdAt: old,
      updatedAt: old,
    });
    const statuses = async () =>
      (await deliveries().find({ order: { id: 'ASC' } })).map((row) => row.status).sort();
    expect(await statuses()).toEqual([
      'delivered',
      'delivered',
      'delivered',
      'failed',
      'failed',
      'failed',
      'pending',
    ]);
    expect(await count(WebhookIngestReceiptEntity)).toBeGreaterThanOrEqual(1);
    expect(await count(WebhookRawEventEntity)).toBe(1);

    const pruner = gateway.app.get(WebhookPruner);
    // within the retention: nothing goes
    expect(await pruner.prune(new Date(Date.now() + 23 * HOUR_MS))).toEqual({
      deliveries: 0,
      raw: 0,
      receipts: 0,
    });
    expect(await statuses()).toHaveLength(7);

    // past the delivery retention, within the raw one: only the delivered rows go
    expect(await pruner.prune(new Date(Date.now() + 25 * HOUR_MS))).toEqual({
      deliveries: 3,
      raw: 0,
      receipts: 0,
    });
    expect(await statuses()).toEqual(['failed', 'failed', 'failed', 'pending']);

    // past the raw retention: raw events and ingest receipts go, failed and pending stay
    const later = await pruner.prune(new Date(Date.now() + 49 * HOUR_MS));
    expect(later.deliveries).toBe(0);
    expect(later.raw).toBe(1);
    expect(later.receipts).toBeGreaterThanOrEqual(1);
    expect(await count(WebhookRawEventEntity)).toBe(0);
    expect(await count(WebhookIngestReceiptEntity)).toBe(0);
    expect(await statuses()).toEqual(['failed', 'failed', 'failed', 'pending']);
  });
});

import type { DataSource, Repository } from 'typeorm';
import { dataSourceOptions, openDataSource } from '../../src/database/data-source';
import { DeliveryStore } from '../../src/webhooks/delivery/delivery-store';
import { WebhookDeliveryEntity } from '../../src/webhooks/entities/webhook-delivery.entity';
import { createTestDatabase, TestDatabase, testTier } from '../support/test-database';

/**
 * The outbox's hot statements are plain SQL: a claim leases only rows nobody holds and reads
 * them back exactly as TypeORM would (dates as Dates, ids as TypeORM gives them), the heads are
 * each queue's first pending row, and a batch's successes end their leases.
 */
describe(`webhook outbox SQL (${testTier()})`, () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let repository: Repository<WebhookDeliveryEntity>;
  let store: DeliveryStore;
  const now = new Date('2026-12-07T10:00:00.123Z');

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await openDataSource(dataSourceOptions(db.config));
    repository = dataSource.getRepository(WebhookDeliveryEntity);
    store = new DeliveryStore(repository);
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  async function queued(sessionId: string, count: number, nextAttemptAt = now): Promise<string[]> {
    const rows = await repository.save(
      Array.from({ length: count }, (_, index) =>
        repository.create({
          webhookId: `msg_${sessionId}_${index}`,
          targetId: 'target-1',
          sessionId,
          eventType: 'message',
          payload: `{"n":${index}}`,
          nextAttemptAt,
          updatedAt: now,
        }),
      ),
    );
    return rows.map((row) => String(row.id));
  }

  it('claims free rows once, and reads them back as TypeORM does', async () => {
    const ids = await queued('claim-1', 3);
    const claimed = await store.claim(ids, 'owner-a', now, 30_000);
    const found = await repository.find({
      where: ids.map((id) => ({ id })),
      order: { id: 'ASC' },
    });
    expect(claimed).toEqual(
      found.map((row) => ({
        id: row.id,
        webhookId: row.webhookId,
        targetId: row.targetId,
        sessionId: row.sessionId,
        eventType: row.eventType,
        payload: row.payload,
        attempts: row.attempts,
        nextAttemptAt: row.nextAttemptAt,
      })),
    );
    expect(claimed[0].nextAttemptAt).toEqual(now);
    expect(found.every((row) => row.leaseOwner === 'owner-a')).toBe(true);
    // held: nobody else gets them until the lease runs out
    expect(await store.claim(ids, 'owner-b', now, 30_000)).toEqual([]);
    const later = new Date(now.getTime() + 31_000);
    expect((await store.claim(ids, 'owner-b', later, 30_000)).map((row) => row.id)).toEqual(
      claimed.map((row) => row.id),
    );
  });

  it('lists each queue’s head, and which heads are due and free', async () => {
    const [first] = await queued('heads-1', 2);
    const [waiting] = await queued('heads-2', 1, new Date(now.getTime() + 60_000));
    const heads = await store.heads();
    expect(heads).toEqual(
      expect.arrayContaining([
        { targetId: 'target-1', sessionId: 'heads-1', id: first },
        { targetId: 'target-1', sessionId: 'heads-2', id: waiting },
      ]),
    );
    expect(await store.claimableHeads([first, waiting], now)).toEqual(new Set([first]));
  });

  it('stores a batch’s successes and ends their leases', async () => {
    const ids = await queued('outcomes-1', 2);
    await store.claim(ids, 'owner-a', now, 30_000);
    const at = new Date(now.getTime() + 500);
    await store.saveOutcomes(
      ids.map((id) => ({
        id,
        status: 'delivered',
        statusCode: 200,
        error: null,
        durationMs: 12,
        at,
      })),
      'owner-a',
    );
    const rows = await repository.find({ where: ids.map((id) => ({ id })) });
    expect(
      rows.map(({ status, attempts, lastStatusCode, lastDurationMs, deliveredAt, leaseOwner }) => ({
        status,
        attempts,
        lastStatusCode,
        lastDurationMs,
        deliveredAt,
        leaseOwner,
      })),
    ).toEqual(
      ids.map(() => ({
        status: 'delivered',
        attempts: 1,
        lastStatusCode: 200,
        lastDurationMs: 12,
        deliveredAt: at,
        leaseOwner: null,
      })),
    );
  });
});

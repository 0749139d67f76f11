import { FencedCommits } from '../../src/cluster/fenced-commits';
import { SoleOwnership } from '../../src/cluster/sole-ownership';
import { LeaseLost } from '../../src/cluster/session-ownership';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { DataSource } from 'typeorm';
import { dataSourceOptions, openDataSource } from '../../src/database/data-source';
import { EventOutbox } from '../../src/whatsapp/events/event-outbox';
import { MessageEntity } from '../../src/messaging/entities/message.entity';
import { MessageStatusEntity } from '../../src/messaging/entities/message-status.entity';
import { QueuedSendEntity } from '../../src/messaging/entities/queued-send.entity';
import { MessageStore } from '../../src/messaging/message-store.service';
import { messageRow } from '../../src/messaging/message-rows';
import { StoredMessageEvents, type StatusStoredEvent } from '../../src/messaging/messaging-events';
import type { WaMessage } from '../../src/whatsapp/message-events';
import { createTestDatabase, TestDatabase, testTier } from '../support/test-database';
import { textMessage } from '../support/wa-message';

const SESSION = 'batch-1';

function message(id: string, sessionId = SESSION): WaMessage {
  return textMessage('6281233784490@s.whatsapp.net', `text of ${id}`, {
    id,
    sessionId,
    pushName: 'Yoga',
    timestamp: new Date('2025-08-14T07:55:01.000Z'),
  });
}

/**
 * Saves made at the same time are committed together; one that fails (here: its outbox row
 * cannot be written) must fail alone, the others stored and answered as usual.
 */
if (testTier() !== 'mysql') {
  console.log(
    'The late-receipt test runs on the MySQL tier only: SQLite runs one transaction at a time.',
  );
}

describe(`message store group commit (${testTier()})`, () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let store: MessageStore;
  /** The events of each outbox write: one write per batch, whatever sessions it spans. */
  const outboxWrites: string[][] = [];
  const emitter = new EventEmitter2();

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await openDataSource(dataSourceOptions(db.config));
    const outbox = new EventOutbox();
    outbox.register({
      write: async (_manager, events) => {
        outboxWrites.push(
          events.map((event) =>
            event.kind === 'message' ? `${event.sessionId}/${event.message.id}` : event.kind,
          ),
        );
        if (events.some((event) => event.kind === 'message' && event.message.id === 'BAD1')) {
          throw new Error('outbox refused BAD1');
        }
      },
    });
    store = new MessageStore(
      dataSource,
      outbox,
      emitter,
      new FencedCommits(dataSource, new SoleOwnership('test', '')),
    );
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('stores concurrent saves together, and a failing one fails alone', async () => {
    const [first, bad, second, again] = await Promise.allSettled([
      store.saveMessages([message('GOOD1')]),
      store.saveMessages([message('BAD1')]),
      store.saveMessages([message('GOOD2'), message('GOOD3')]),
      store.saveMessages([message('GOOD1')]),
    ]);
    expect(first).toMatchObject({ status: 'fulfilled', value: [{ id: 'GOOD1' }] });
    expect(bad).toMatchObject({ status: 'rejected', reason: { message: 'outbox refused BAD1' } });
    expect(second).toMatchObject({
      status: 'fulfilled',
      value: [{ id: 'GOOD2' }, { id: 'GOOD3' }],
    });
    // the same message named twice at once is stored (and reported) once
    expect(again).toMatchObject({ status: 'fulfilled', value: [] });
    const rows = await dataSource
      .getRepository(MessageEntity)
      .find({ order: { messageId: 'ASC' } });
    expect(rows.map((row) => row.messageId)).toEqual(['GOOD1', 'GOOD2', 'GOOD3']);
  });

  it('writes a batch of several sessions at once: per-session identity, one outbox write', async () => {
    await store.saveMessages([message('OLD', 'multi-a')]);
    outboxWrites.length = 0;
    const results = await Promise.all([
      store.saveMessages([message('SAME', 'multi-a'), message('OLD', 'multi-a')]),
      store.saveMessages([message('SAME', 'multi-b')]),
      store.saveMessages([message('OLD', 'multi-c')]),
    ]);
    expect(results.map((stored) => stored.map((m) => `${m.sessionId}/${m.id}`))).toEqual([
      ['multi-a/SAME'],
      ['multi-b/SAME'],
      ['multi-c/OLD'],
    ]);
    expect(outboxWrites).toEqual([['multi-a/SAME', 'multi-b/SAME', 'multi-c/OLD']]);
    const rows = await dataSource.getRepository(MessageEntity).find({
      where: [{ sessionId: 'multi-a' }, { sessionId: 'multi-b' }, { sessionId: 'multi-c' }],
      order: { sessionId: 'ASC', messageId: 'ASC' },
    });
    expect(rows.map((row) => `${row.sessionId}/${row.messageId}`)).toEqual([
      'multi-a/OLD',
      'multi-a/SAME',
      'multi-b/SAME',
      'multi-c/OLD',
    ]);
  });

  it('starts our own message at a receipt that was stored before it, from either source', async () => {
    const sent = (id: string): WaMessage => ({ ...message(id), fromMe: true, status: 'sent' });
    const receipt = (id: string, status: 'delivered' | 'read') => ({
      sessionId: SESSION,
      messageId: id,
      chatJid: '6281233784490@s.whatsapp.net',
      participantJid: null,
      status,
      at: new Date(),
    });
    // the receipts win the race against the sent messages they report
    expect(await store.saveStatuses([receipt('EARLY-E', 'delivered')])).toHaveLength(1);
    expect(await store.saveStatuses([receipt('EARLY-E', 'read')])).toHaveLength(1);
    expect(await store.saveStatuses([receipt('EARLY-I', 'delivered')])).toHaveLength(1);
    await store.saveMessages([sent('EARLY-E')], { source: 'engine' });
    await store.saveMessages([sent('EARLY-I')], { source: 'ingest' });
    // a receipt stored by another process (a row only): an ingested message still finds it
    await dataSource.getRepository(MessageStatusEntity).insert({
      sessionId: SESSION,
      messageId: 'EARLY-X',
      chatJid: '6281233784490@s.whatsapp.net',
      participantJid: '',
      status: 'read',
      eventTimestamp: new Date(),
    });
    await store.saveMessages([sent('EARLY-X')]);
    const rows = await dataSource.getRepository(MessageEntity).find({
      where: [{ messageId: 'EARLY-E' }, { messageId: 'EARLY-I' }, { messageId: 'EARLY-X' }],
      order: { messageId: 'ASC' },
    });
    expect(rows.map((row) => `${row.messageId}:${row.status}`)).toEqual([
      'EARLY-E:read',
      'EARLY-I:delivered',
      'EARLY-X:read',
    ]);
  });

  // SQLite runs one transaction at a time: the two cannot overlap there
  (testTier() === 'mysql' ? it : it.skip)(
    'moves our own message on to a receipt stored while its transaction was open (MySQL only)',
    async () => {
      const sent: WaMessage = { ...message('LATE-1'), fromMe: true, status: 'sent' };
      // another transaction holds the message's key: the store's insert waits inside its
      // transaction, which has looked for early receipts already
      const blocker = dataSource.createQueryRunner();
      await blocker.startTransaction();
      await blocker.manager.insert(MessageEntity, messageRow(sent));
      const saving = store.saveMessages([sent], { source: 'engine' });
      const waiting = async (): Promise<boolean> => {
        // an insert of the message under way cannot finish while the blocker holds its key
        const [row] = await dataSource.query<{ n: string }[]>(
          "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE info LIKE 'INSERT INTO `whatsapp_messages`%'",
        );
        return Number(row.n) > 0;
      };
      while (!(await waiting())) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      // the read receipt is stored meanwhile: its transaction cannot see the message
      const receipt = {
        sessionId: SESSION,
        messageId: 'LATE-1',
        chatJid: sent.chatJid,
        participantJid: '6281233784490@s.whatsapp.net',
        status: 'read' as const,
        at: new Date(),
      };
      expect(await store.saveStatuses([receipt])).toHaveLength(1);
      const moved = new Promise<void>((resolve) => {
        const listener = (event: StatusStoredEvent): void => {
          if (event.update.messageId === 'LATE-1') {
            emitter.off(StoredMessageEvents.Status, listener);
            resolve();
          }
        };
        emitter.on(StoredMessageEvents.Status, listener);
      });
      await blocker.rollbackTransaction();
      await blocker.release();
      expect(await saving).toHaveLength(1);
      await moved;
      const row = await dataSource.getRepository(MessageEntity).findOneByOrFail({
        messageId: 'LATE-1',
      });
      expect(row.status).toBe('read');
      // one receipt row: the late apply moved the message without storing the receipt again
      expect(
        await dataSource.getRepository(MessageStatusEntity).countBy({ messageId: 'LATE-1' }),
      ).toBe(1);
    },
  );

  it('deletes the send-queue rows of sent messages in their transaction, even when already stored', async () => {
    const queued = (id: string) => ({
      messageId: id,
      sessionId: SESSION,
      chatJid: '6281233784490@s.whatsapp.net',
      payload: '{}',
      enqueuedAt: new Date(),
      deadlineAt: new Date(Date.now() + 60_000),
    });
    const rows = dataSource.getRepository(QueuedSendEntity);
    await rows.insert([queued('DQ-1'), queued('DQ-2'), queued('DQ-KEEP')]);
    const own = (id: string): WaMessage => ({ ...message(id), fromMe: true, status: 'sent' });
    await store.saveMessages([own('DQ-2')], { source: 'engine' }); // Baileys' echo came first
    await Promise.all([
      store.saveMessages([own('DQ-1')], { source: 'engine', dequeue: true }),
      store.saveMessages([own('DQ-2')], { source: 'engine', dequeue: true }),
    ]);
    expect((await rows.find()).map((row) => row.messageId)).toEqual(['DQ-KEEP']);
    // a batch that fails keeps its queue rows: the message is sent again, not lost
    await rows.insert(queued('BAD1'));
    await expect(store.saveMessages([own('BAD1')], { dequeue: true })).rejects.toThrow(
      'outbox refused BAD1',
    );
    expect((await rows.find({ order: { messageId: 'ASC' } })).map((row) => row.messageId)).toEqual([
      'BAD1',
      'DQ-KEEP',
    ]);
  });

  it('a save the delivery receipt waits for (mustOwn) fails with LeaseLost for a session this process lost; the rest of its batch is stored', async () => {
    /** The session `moved` is held by another process now. */
    class MovedOwnership extends SoleOwnership {
      override fence(_manager: unknown, sessionIds: string[]): Promise<Set<string>> {
        return Promise.resolve(new Set(sessionIds.filter((id) => id !== 'moved')));
      }
    }
    const fenced = new MessageStore(
      dataSource,
      new EventOutbox(),
      new EventEmitter2(),
      new FencedCommits(dataSource, new MovedOwnership('test', '')),
    );
    const [lost, kept, skipped] = await Promise.allSettled([
      fenced.saveMessages([message('MOVED-1', 'moved')], { source: 'engine', mustOwn: true }),
      fenced.saveMessages([message('KEPT-1')], { source: 'engine', mustOwn: true }),
      fenced.saveMessages([message('MOVED-2', 'moved')], { source: 'engine' }),
    ]);
    expect(lost).toMatchObject({ status: 'rejected', reason: expect.any(LeaseLost) as unknown });
    expect(kept).toMatchObject({ status: 'fulfilled', value: [{ id: 'KEPT-1' }] });
    // without mustOwn a fenced message is skipped, as before
    expect(skipped).toEqual({ status: 'fulfilled', value: [] });
    const rows = await dataSource.getRepository(MessageEntity).find({
      where: [{ messageId: 'KEPT-1' }, { sessionId: 'moved' }],
    });
    expect(rows.map((row) => row.messageId)).toEqual(['KEPT-1']);
  });
});

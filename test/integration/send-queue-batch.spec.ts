import { EventEmitter2 } from '@nestjs/event-emitter';
import type { DataSource } from 'typeorm';
import { FencedCommits } from '../../src/cluster/fenced-commits';
import { SoleOwnership } from '../../src/cluster/sole-ownership';
import type { AppConfig } from '../../src/config/app-config';
import { dataSourceOptions, openDataSource } from '../../src/database/data-source';
import { MessageEntity } from '../../src/messaging/entities/message.entity';
import { QueuedSendEntity } from '../../src/messaging/entities/queued-send.entity';
import type { ComposedMessage } from '../../src/messaging/message-composer.service';
import { MessageStore } from '../../src/messaging/message-store.service';
import { SendQueue } from '../../src/messaging/send-queue.service';
import type { SessionGate } from '../../src/messaging/session-gate.service';
import { SessionHooks } from '../../src/sessions/session-hooks';
import { EventOutbox } from '../../src/whatsapp/events/event-outbox';
import type { WaMessage } from '../../src/whatsapp/message-events';
import type { Messenger, OutgoingContent } from '../../src/whatsapp/messenger';
import { createTestDatabase, TestDatabase, testTier } from '../support/test-database';

const SESSION = 'queue-batch-1';
const JID = '6281233784490@s.whatsapp.net';

function composed(text: string): ComposedMessage {
  return { type: 'text', content: { kind: 'text', text } };
}

/** What WhatsApp answers for a sent text (the engine is not what this test is about). */
function sentMessage(sessionId: string, jid: string, id: string, text: string): WaMessage {
  return {
    id,
    sessionId,
    chatJid: jid,
    senderJid: jid,
    senderPhone: null,
    fromMe: true,
    isGroup: false,
    pushName: null,
    type: 'text',
    text,
    quotedId: null,
    targetId: null,
    mentions: [],
    media: null,
    timestamp: new Date(),
    content: { conversation: text },
    status: 'sent',
  };
}

/**
 * The queue rows of sends submitted at the same time are written by one statement; a row that
 * cannot be written fails its own submit only, the others are queued, sent and dequeued.
 */
describe(`send queue row group commit (${testTier()})`, () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let queue: SendQueue;
  const sent: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await openDataSource(dataSourceOptions(db.config));
    const ownership = new SoleOwnership('test', '');
    const events = new EventEmitter2();
    const outbox = new EventOutbox();
    const config = {
      messaging: { minIntervalMs: 0, jitterMs: 0, queueMax: 100, sendTimeoutMs: 30_000 },
    } as unknown as AppConfig;
    const gate = { isConnected: () => true } as unknown as SessionGate;
    const messenger = {
      send: (
        sessionId: string,
        jid: string,
        content: OutgoingContent,
        options: { messageId?: string },
      ) => {
        const text = content.kind === 'text' ? content.text : '';
        sent.push(text);
        return Promise.resolve(sentMessage(sessionId, jid, options.messageId ?? '', text));
      },
    } as unknown as Messenger;
    queue = new SendQueue(
      config,
      gate,
      messenger,
      new MessageStore(dataSource, outbox, events, new FencedCommits(dataSource, ownership)),
      outbox,
      events,
      dataSource,
      dataSource.getRepository(QueuedSendEntity),
      new SessionHooks(),
      ownership,
    );
  });
  afterAll(async () => {
    await queue?.onModuleDestroy();
    await dataSource?.destroy();
    await db?.drop();
  });

  it('writes concurrent rows in one statement, and a row that fails fails alone', async () => {
    const query = jest.spyOn(dataSource.manager, 'query');
    const [first, bad, second] = await Promise.allSettled([
      queue.submit(SESSION, JID, composed('first')),
      // NOT NULL chat_jid: this row cannot be written
      queue.submit(SESSION, null as unknown as string, composed('bad')),
      queue.submit(SESSION, JID, composed('second')),
    ]);
    const inserts = query.mock.calls
      .map(([sql]) => sql)
      .filter((sql) => /^INSERT INTO .whatsapp_send_queue/.test(sql));
    query.mockRestore();

    // one statement for the three rows, then each on its own after it failed
    expect(inserts).toHaveLength(4);
    expect(inserts[0].match(/\(\?, \?, \?, \?, \?, \?\)/g)).toHaveLength(3);
    expect(first.status).toBe('fulfilled');
    expect(second.status).toBe('fulfilled');
    expect(bad.status).toBe('rejected');
    expect(sent).toEqual(['first', 'second']);
    const ids = [first, second].map((result) =>
      result.status === 'fulfilled' ? result.value.id : '',
    );
    const stored = await dataSource.getRepository(MessageEntity).find({
      where: ids.map((messageId) => ({ sessionId: SESSION, messageId })),
    });
    expect(stored.map((row) => row.text).sort()).toEqual(['first', 'second']);
    // sent and stored: dequeued in the message rows' transaction
    expect(await dataSource.getRepository(QueuedSendEntity).count()).toBe(0);
  });
});

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
import { SEND_SETTLED, SendQueue } from '../../src/messaging/send-queue.service';
import type { SessionGate } from '../../src/messaging/session-gate.service';
import { SessionHooks } from '../../src/sessions/session-hooks';
import { EventOutbox } from '../../src/whatsapp/events/event-outbox';
import type { WaMessage } from '../../src/whatsapp/message-events';
import type { SessionConnectedEvent } from '../../src/whatsapp/session-events';
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
 * A send queue on `dataSource` whose messenger records each text it is asked to send in `sent`
 * (WhatsApp is not what these tests are about); `wrapStore` may hold the message store's writes.
 */
function queueOn(
  dataSource: DataSource,
  ownership: SoleOwnership,
  events: EventEmitter2,
  sent: string[],
  wrapStore: (store: MessageStore) => void = () => undefined,
): SendQueue {
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
  const store = new MessageStore(
    dataSource,
    outbox,
    events,
    new FencedCommits(dataSource, ownership),
  );
  wrapStore(store);
  return new SendQueue(
    config,
    gate,
    messenger,
    store,
    outbox,
    events,
    dataSource,
    dataSource.getRepository(QueuedSendEntity),
    new SessionHooks(),
    ownership,
  );
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
    queue = queueOn(dataSource, new SoleOwnership('test', ''), new EventEmitter2(), sent);
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

/**
 * Cluster: the queue of a session that connects here is loaded from its rows. A send that is
 * being stored at that moment (sent, its row not yet deleted) must not be loaded and sent again.
 */
describe(`send queue resume while a send is being stored (${testTier()})`, () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let queue: SendQueue;
  let events: EventEmitter2;
  const sent: string[] = [];
  let releaseSave: () => void = () => undefined;
  let saving: Promise<void> | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await openDataSource(dataSourceOptions(db.config));
    const ownership = new SoleOwnership('test', '');
    // a cluster process: a session's queue is loaded when the session connects here
    Object.defineProperty(ownership, 'clustered', { value: true });
    events = new EventEmitter2();
    // the first store of a sent message waits until the test lets it go: the window in which
    // the message is sent and its queue row not yet deleted
    queue = queueOn(dataSource, ownership, events, sent, (store) => {
      const save = store.saveMessages.bind(store);
      let held = false;
      store.saveMessages = async (...args: Parameters<MessageStore['saveMessages']>) => {
        if (!held) {
          held = true;
          saving = new Promise<void>((resolve) => {
            releaseSave = resolve;
          });
          await saving;
        }
        return save(...args);
      };
    });
  });
  afterAll(async () => {
    await queue?.onModuleDestroy();
    await dataSource?.destroy();
    await db?.drop();
  });

  it('sends the message once', async () => {
    const settled: string[] = [];
    events.on(SEND_SETTLED, (event: { messageId: string }) => settled.push(event.messageId));
    const result = queue.submit(SESSION, JID, composed('once'));
    while (saving === undefined) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    // the session connects here while the sent message is being stored
    await queue.onConnected({ sessionId: SESSION } as SessionConnectedEvent);
    releaseSave();
    const message = await result;
    while (queue.length(SESSION) > 0) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(sent).toEqual(['once']);
    expect(settled).toEqual([message.id]);
    expect(await dataSource.getRepository(QueuedSendEntity).count()).toBe(0);
  });
});

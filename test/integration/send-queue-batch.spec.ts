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
import {
  SEND_SETTLED,
  SendQueue,
  type SendSettledEvent,
} from '../../src/messaging/send-queue.service';
import type { SessionGate } from '../../src/messaging/session-gate.service';
import { SessionHooks } from '../../src/sessions/session-hooks';
import { EventOutbox } from '../../src/whatsapp/events/event-outbox';
import type { WaMessage } from '../../src/whatsapp/message-events';
import { SessionEvents, type SessionConnectedEvent } from '../../src/whatsapp/session-events';
import type { Messenger, OutgoingContent } from '../../src/whatsapp/messenger';
import { createTestDatabase, TestDatabase, testTier } from '../support/test-database';
import { textMessage } from '../support/wa-message';

const SESSION = 'queue-batch-1';
const JID = '6281233784490@s.whatsapp.net';

function composed(text: string): ComposedMessage {
  return { type: 'text', content: { kind: 'text', text } };
}

/** What WhatsApp answers for a sent text (the engine is not what this test is about). */
function sentMessage(sessionId: string, jid: string, id: string, text: string): WaMessage {
  return textMessage(jid, text, { id, sessionId, fromMe: true, senderPhone: null, status: 'sent' });
}

interface QueueOptions {
  /** May hold the message store's writes. */
  wrapStore?: (store: MessageStore) => void;
  /** Whether the session is connected (always, by default). */
  connected?: () => boolean;
  sendTimeoutMs?: number;
}

/**
 * A send queue on `dataSource` whose messenger records each text it is asked to send in `sent`
 * (WhatsApp is not what these tests are about).
 */
function queueOn(
  dataSource: DataSource,
  ownership: SoleOwnership,
  events: EventEmitter2,
  sent: string[],
  {
    wrapStore = () => undefined,
    connected = () => true,
    sendTimeoutMs = 30_000,
  }: QueueOptions = {},
): SendQueue {
  const outbox = new EventOutbox();
  const config = {
    messaging: { minIntervalMs: 0, jitterMs: 0, queueMax: 100, sendTimeoutMs },
  } as unknown as AppConfig;
  const gate = { isConnected: connected } as unknown as SessionGate;
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
    queue = queueOn(dataSource, ownership, events, sent, {
      wrapStore: (store) => {
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
      },
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

/**
 * A campaign's job (staged, no deadline) waits for its session however long it is offline or the
 * gateway stopped: its recipient was claimed and must not end up failed for being late. REST
 * sends keep their deadline, also when they wait behind such a job. A logout drops them all.
 */
describe(`send queue jobs without a deadline (${testTier()})`, () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let events: EventEmitter2;
  let online = false;
  const sent: string[] = [];
  const queues: SendQueue[] = [];

  const newQueue = (sendTimeoutMs = 300): SendQueue => {
    const queue = queueOn(dataSource, new SoleOwnership('test', ''), events, sent, {
      connected: () => online,
      sendTimeoutMs,
    });
    queues.push(queue);
    return queue;
  };
  const settledAs = (messageId: string): Promise<SendSettledEvent['outcome']> =>
    new Promise((resolve) => {
      const listener = (event: SendSettledEvent): void => {
        if (event.messageId === messageId) {
          events.off(SEND_SETTLED, listener);
          resolve(event.outcome);
        }
      };
      events.on(SEND_SETTLED, listener);
    });
  const stage = async (queue: SendQueue, text: string) => {
    const staged = await dataSource.transaction((manager) =>
      queue.stage(manager, SESSION, JID, composed(text)),
    );
    staged.start();
    return staged.messageId;
  };
  const rows = () => dataSource.getRepository(QueuedSendEntity).find();
  const connect = () => {
    online = true;
    events.emit(SessionEvents.Connected, { sessionId: SESSION });
  };

  beforeEach(async () => {
    db = await createTestDatabase();
    dataSource = await openDataSource(dataSourceOptions(db.config));
    events = new EventEmitter2();
    online = false;
    sent.length = 0;
  });
  afterEach(async () => {
    for (const queue of queues.splice(0)) {
      await queue.onModuleDestroy();
    }
    await dataSource?.destroy();
    await db?.drop();
  });

  it('sends a campaign job after an outage longer than SEND_TIMEOUT_MS; a REST send behind it fails at its deadline', async () => {
    const queue = newQueue();
    const campaignJob = await stage(queue, 'campaign');
    const outcome = settledAs(campaignJob);
    // queued behind the campaign's job while the session is offline: fails at its own deadline
    await expect(queue.submit(SESSION, JID, composed('rest'))).rejects.toThrow(/300 ms/);
    expect(sent).toEqual([]);
    expect((await rows()).map((row) => [row.messageId, row.deadlineAt])).toEqual([
      [campaignJob, null],
    ]);

    connect();
    expect(await outcome).toBe('sent');
    expect(sent).toEqual(['campaign']);
    expect(await rows()).toEqual([]);
  });

  it('resumes a stored campaign job at boot however late, and fails a REST send past its deadline', async () => {
    const hourAgo = new Date(Date.now() - 3_600_000);
    const row = (messageId: string, text: string, deadlineAt: Date | null) => ({
      messageId,
      sessionId: SESSION,
      chatJid: JID,
      payload: JSON.stringify(composed(text)),
      enqueuedAt: hourAgo,
      deadlineAt,
    });
    await dataSource
      .getRepository(QueuedSendEntity)
      .insert([
        row('3EB0CAMPAIGN0000001', 'campaign', null),
        row('3EB0REST00000000001', 'rest', new Date(hourAgo.getTime() + 120_000)),
      ]);
    online = true;
    const outcomes = [settledAs('3EB0CAMPAIGN0000001'), settledAs('3EB0REST00000000001')];
    await newQueue().onApplicationBootstrap();
    expect(await Promise.all(outcomes)).toEqual(['sent', 'failed']);
    expect(sent).toEqual(['campaign']);
    expect(await rows()).toEqual([]);
  });

  it('fails every queued job of a session that is logged out', async () => {
    const queue = newQueue(30_000);
    const campaignJob = await stage(queue, 'campaign');
    const outcome = settledAs(campaignJob);
    const rest = queue.submit(SESSION, JID, composed('rest'));
    while (queue.length(SESSION) < 2) {
      await new Promise((resolve) => setImmediate(resolve)); // its row is being written
    }
    await queue.onDisconnected({
      sessionId: SESSION,
      statusCode: 401,
      reason: 'logged out',
      willReconnect: false,
      loggedOut: true,
      at: new Date(),
    });
    await expect(rest).rejects.toMatchObject({ detail: 'the session was logged out' });
    expect(await outcome).toBe('failed');
    expect(await rows()).toEqual([]);
    connect();
    expect(sent).toEqual([]);
  });
});

/**
 * A message WhatsApp accepted is never reported as failed: a store that fails for a moment is
 * tried again; one that keeps failing leaves the queue row (the next boot sends it again under
 * the same id) but the caller still gets the sent message.
 */
describe(`send queue: a sent message whose store fails (${testTier()})`, () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let queue: SendQueue;
  let failures = 0;
  const sent: string[] = [];
  const events = new EventEmitter2();

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await openDataSource(dataSourceOptions(db.config));
    queue = queueOn(dataSource, new SoleOwnership('test', ''), events, sent, {
      wrapStore: (store) => {
        const save = store.saveMessages.bind(store);
        store.saveMessages = (...args: Parameters<MessageStore['saveMessages']>) => {
          if (failures > 0) {
            failures -= 1;
            return Promise.reject(new Error('the database is away'));
          }
          return save(...args);
        };
      },
    });
  });
  afterAll(async () => {
    await queue?.onModuleDestroy();
    await dataSource?.destroy();
    await db?.drop();
  });

  const rows = () => dataSource.getRepository(QueuedSendEntity).find();
  const stored = (messageId: string) =>
    dataSource.getRepository(MessageEntity).countBy({ sessionId: SESSION, messageId });

  it('stores it on a later try when the first ones fail', async () => {
    failures = 2;
    const settled: string[] = [];
    events.on(SEND_SETTLED, (event: SendSettledEvent) => settled.push(event.messageId));
    const message = await queue.submit(SESSION, JID, composed('stored late'));
    expect(sent).toEqual(['stored late']);
    expect(await stored(message.id)).toBe(1);
    expect(await rows()).toEqual([]);
    expect(settled).toEqual([message.id]);
    events.removeAllListeners(SEND_SETTLED);
  });

  it('answers the sent message when it cannot be stored, and keeps its queue row', async () => {
    failures = 100;
    const message = await queue.submit(SESSION, JID, composed('never stored'));
    failures = 0;
    expect(message.text).toBe('never stored');
    expect(sent).toEqual(['stored late', 'never stored']);
    expect(await stored(message.id)).toBe(0);
    expect((await rows()).map((row) => row.messageId)).toEqual([message.id]);
  });
});

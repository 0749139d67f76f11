import { EventEmitter2 } from '@nestjs/event-emitter';
import type { Socket } from 'socket.io-client';
import { DataSource } from 'typeorm';
import { dataSourceOptions, openDataSource } from '../../src/database/data-source';
import { QueuedSendEntity } from '../../src/messaging/entities/queued-send.entity';
import { SEND_SETTLED, SendSettledEvent } from '../../src/messaging/send-queue.service';
import { SessionEvents } from '../../src/whatsapp/session-events';
import { nextEmitted } from '../support/next-emitted';
import type { SimAccount, WaSimulator } from '../wa-sim';
import { nextSessionEvent, startGateway, startSimulator } from '../support/gateway-with-sim';
import { json, linkSession, subscriber } from '../support/messaging-harness';
import { nextEvent } from '../support/socket-client';
import type { TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase, testTier } from '../support/test-database';

const SESSION = 'paced-1';
const MIN_INTERVAL_MS = 300;
const ENV = {
  SEND_MIN_INTERVAL_MS: String(MIN_INTERVAL_MS),
  SEND_JITTER_MS: '100',
  SEND_QUEUE_MAX: '4',
  SEND_TIMEOUT_MS: '8000',
};

describe(`the paced send queue (${testTier()})`, () => {
  let sim: WaSimulator;
  let untrust: () => void;
  let db: TestDatabase;
  let gateway: TestApp;
  let account: SimAccount;
  let contact: { pn: string; jid: string };

  beforeAll(async () => {
    ({ sim, untrust } = await startSimulator());
    db = await createTestDatabase();
    gateway = await startGateway(sim, ENV, db);
    ({ account } = await linkSession(gateway, sim, SESSION));
    contact = account.contacts[0];
  });
  afterAll(async () => {
    await gateway?.close();
    await sim?.stop();
    untrust?.();
    await db?.drop();
  });

  const send = (message: string) =>
    gateway.post(`/sessions/${SESSION}/messages`, { to: contact.pn, message });

  /** Arrival times at the simulated phone of the messages whose text starts with `prefix`. */
  function arrivals(prefix: string): { at: number; text: string; id: string }[] {
    const seen: { at: number; text: string; id: string }[] = [];
    sim.on('message', (event) => {
      if (event.phone === account.phone && event.text?.startsWith(prefix)) {
        seen.push({ at: Date.now(), text: event.text, id: event.id });
      }
    });
    return seen;
  }

  const received = (text: string) => account.waitForMessage((message) => message.text === text);

  it('keeps the minimum interval between sends and shows the queue length', async () => {
    const seen = arrivals('paced ');
    const responses = [0, 1, 2, 3].map((index) => send(`paced ${index}`));
    await account.waitForMessage((message) => Boolean(message.text?.startsWith('paced ')));
    const queue = await json<{ queueLength: number }>(
      await gateway.request(`/sessions/${SESSION}/queue`),
    );
    expect(queue.data.queueLength).toBeGreaterThanOrEqual(1);
    // the session's status shows it too (the last of the four is still waiting for its slot)
    const sessionStatus = await json<{ queueLength: number }>(
      await gateway.request(`/sessions/${SESSION}/status`),
    );
    expect(sessionStatus.data.queueLength).toBeGreaterThanOrEqual(1);
    for (const response of await Promise.all(responses)) {
      expect(response.status).toBe(201);
    }
    await Promise.all([0, 1, 2, 3].map((index) => received(`paced ${index}`)));
    // concurrent requests join the queue in the order they are accepted, not the order sent
    expect(seen.map((arrival) => arrival.text).sort()).toEqual([
      'paced 0',
      'paced 1',
      'paced 2',
      'paced 3',
    ]);
    const intervals = seen.slice(1).map((arrival, index) => arrival.at - seen[index].at);
    // measured on arrival, so one late arrival (event-loop lag) can shorten the next gap a bit
    for (const interval of intervals) {
      expect(interval).toBeGreaterThanOrEqual(MIN_INTERVAL_MS - 50);
    }
    const mean = intervals.reduce((sum, interval) => sum + interval, 0) / intervals.length;
    expect(mean).toBeGreaterThanOrEqual(MIN_INTERVAL_MS);
    const status = await json<{ queueLength: number }>(
      await gateway.request(`/sessions/${SESSION}/queue`),
    );
    expect(status.data.queueLength).toBe(0);
    const after = await json<{ queueLength: number }>(
      await gateway.request(`/sessions/${SESSION}/status`),
    );
    expect(after.data.queueLength).toBe(0);
  });

  it('answers 429 when the queue is full', async () => {
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, index) => send(`burst ${index}`)),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 201).length).toBeGreaterThanOrEqual(4);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((status) => status === 201 || status === 429)).toBe(true);
    const refused = responses[statuses.indexOf(429)];
    expect(await json(refused)).toEqual({
      success: false,
      message: 'The send queue of this session is full (4 messages): try again later',
    });
  });

  it('a queued message survives a reconnect: it waits, then goes', async () => {
    const seen = arrivals('through ');
    const responses = [0, 1, 2].map((index) => send(`through ${index}`));
    await account.waitForMessage((message) => Boolean(message.text?.startsWith('through ')));
    const back = nextSessionEvent(gateway, SessionEvents.Connected, SESSION);
    account.drop();
    await back;
    for (const response of await Promise.all(responses)) {
      expect(response.status).toBe(201);
    }
    await Promise.all([0, 1, 2].map((index) => received(`through ${index}`)));
    expect(seen.map((arrival) => arrival.text).sort()).toEqual([
      'through 0',
      'through 1',
      'through 2',
    ]);
  });

  it('keeps queued messages over a restart: resumed at boot, or failed when past the deadline', async () => {
    const responses = [0, 1, 2].map((index) =>
      send(`restart ${index}`).then(
        (response) => response.status,
        () => 0,
      ),
    );
    // the first answer is the message that went out (its queue row is gone by then)
    expect(await Promise.race(responses)).toBe(201);
    // the connection goes: the other two wait in the queue, none of them on its way out
    const down = nextSessionEvent(gateway, SessionEvents.Disconnected, SESSION);
    account.refuseConnections(1_000);
    account.drop();
    await down;
    const dataSource = gateway.app.get(DataSource);
    const rows = await dataSource
      .getRepository(QueuedSendEntity)
      .find({ order: { enqueuedAt: 'ASC' } });
    expect(rows).toHaveLength(2);
    await gateway.close();
    // the callers waiting when the gateway stopped were told it stays queued
    expect(await Promise.all(responses)).toContain(503);

    const stillQueued = await reopenQueue();
    expect(stillQueued.map((row) => row.messageId).sort()).toEqual(
      rows.map((row) => row.messageId).sort(),
    );
    // one of them would have had to go long ago
    const [expired, ...resumable] = stillQueued;
    await markExpired(expired.messageId);
    // a hard stop after a send was stored, before its queue row was deleted, leaves the row
    const sentBefore = account
      .received()
      .find(
        (message) =>
          message.text?.startsWith('restart ') && !rows.some((row) => row.messageId === message.id),
      )!;
    await leaveQueueRow({
      ...resumable[0],
      messageId: sentBefore.id,
      enqueuedAt: new Date(resumable[0].enqueuedAt.getTime() - 1_000),
    });

    const boot = startGateway(sim, ENV, db);
    gateway = await boot;
    const settled = resumable.map((row) =>
      nextEmitted<SendSettledEvent>(
        gateway.app.get(EventEmitter2),
        SEND_SETTLED,
        (event) => event.messageId === row.messageId,
        15_000,
      ),
    );
    for (const row of resumable) {
      const message = await account.waitForMessage((candidate) => candidate.id === row.messageId);
      expect(message.text).toMatch(/^restart \d$/);
    }
    const expiredArrived = account.received().some((message) => message.id === expired.messageId);
    expect(expiredArrived).toBe(false);
    expect((await Promise.all(settled)).map((event) => event.outcome)).toEqual(['sent']);
    expect(await gateway.app.get(DataSource).getRepository(QueuedSendEntity).count()).toBe(0);
    // the message already stored as sent is not sent again
    expect(account.received().filter((message) => message.id === sentBefore.id)).toHaveLength(1);
  });

  it('fails a queued message with a reason after SEND_TIMEOUT_MS (504, message_failed)', async () => {
    const socket: Socket = await subscriber(gateway, SESSION);
    try {
      const failed = nextEvent<{ messageId: string; reason: string }>(socket, 'message_failed');
      const first = send('timeout 0');
      const late = send('timeout 1');
      await account.waitForMessage((message) => Boolean(message.text?.startsWith('timeout ')));
      // while the second waits its turn, the connection goes away for longer than the deadline
      account.refuseConnections(12_000);
      account.drop();
      const answers = await Promise.all([first, late]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([201, 504]);
      const timedOut = answers.find((answer) => answer.status === 504);
      expect(await json(timedOut as Response)).toEqual({
        success: false,
        message: 'The message could not be sent within 8000 ms',
      });
      expect((await failed).reason).toBe('not sent within 8000 ms');
    } finally {
      socket.close();
    }
  });

  async function reopenQueue(): Promise<QueuedSendEntity[]> {
    const dataSource = await openDataSource(dataSourceOptions(db.config));
    try {
      return await dataSource
        .getRepository(QueuedSendEntity)
        .find({ order: { enqueuedAt: 'ASC' } });
    } finally {
      await dataSource.destroy();
    }
  }

  async function leaveQueueRow(row: QueuedSendEntity): Promise<void> {
    const dataSource = await openDataSource(dataSourceOptions(db.config));
    try {
      await dataSource.getRepository(QueuedSendEntity).insert(row);
    } finally {
      await dataSource.destroy();
    }
  }

  async function markExpired(messageId: string): Promise<void> {
    const dataSource = await openDataSource(dataSourceOptions(db.config));
    try {
      await dataSource
        .getRepository(QueuedSendEntity)
        .update({ messageId }, { deadlineAt: new Date(Date.now() - 1_000) });
    } finally {
      await dataSource.destroy();
    }
  }
});

import { In } from 'typeorm';
import { dataSourceOptions, openDataSource } from '../../src/database/data-source';
import { MessageStatusEntity } from '../../src/messaging/entities/message-status.entity';
import { MessageEntity } from '../../src/messaging/entities/message.entity';
import { QueuedSendEntity } from '../../src/messaging/entities/queued-send.entity';
import type { SimAccount } from '../wa-sim';
import type { LinkInfo } from '../wa-sim/views';
import { type GatewayProcess, useSimGatewayProcesses } from '../support/built-gateway';
import { connectSocket, emitWithAck, nextEvent } from '../support/socket-client';
import { testTier } from '../support/test-database';

const KEY = 'campaign-process-key-0123456789';
const CONTACTS = 60;

/** What the database held for a session's send queue when its gateway process was gone. */
interface QueueAtStop {
  /** Queued jobs whose message WhatsApp (the simulator) had received: sent, not recorded */
  inWindow: Set<string>;
  /** Queued jobs whose receipt (but not message) was stored: not to be sent again */
  receipted: Set<string>;
  /** Every queued job */
  queued: number;
}

describe(`a campaign across a stop of the gateway process (${testTier()})`, () => {
  const processes = useSimGatewayProcesses();
  const env = () =>
    processes.env(KEY, {
      SEND_MIN_INTERVAL_MS: '0',
      SEND_JITTER_MS: '0',
      DEFAULT_COUNTRY_CODE: '1',
      // shorter than a restart: a campaign's job queued at the stop must still go (no deadline)
      SEND_TIMEOUT_MS: '1000',
    });

  it('resumes after a SIGKILL: one message id per recipient, none skipped, a resend only of a send caught in the window', async () => {
    const { first, linked, account, campaignId } = await startCampaign('kill-1');
    const stopped = await stop(first, 'SIGKILL', account, linked);
    expect(stopped.exit).toEqual({ code: null, signal: 'SIGKILL' });
    const atStop = await queueAtStop('kill-1', account);

    const second = await processes.start(env());
    try {
      const repeated = await everyoneOnce(account, linked);
      // what reached WhatsApp twice is exactly a job that was handed over and not recorded when
      // the process died (the window the README describes), and it went again under its own id
      for (const id of repeated) {
        expect(atStop.inWindow).toContain(id);
      }
      // a send whose receipt was stored is not sent again
      for (const id of atStop.receipted) {
        expect(account.received().filter((message) => message.id === id)).toHaveLength(1);
      }
      expect(account.received()).toHaveLength(CONTACTS + repeated.length);
      await expectCompleted(second, 'kill-1', campaignId);
      process.stdout.write(
        `campaign SIGKILL (${testTier()}): killed after ${stopped.received} of ${CONTACTS} messages; ` +
          `${atStop.queued} job(s) queued, ${atStop.inWindow.size} in the window, ` +
          `${atStop.receipted.size} settled by a stored receipt, ${repeated.length} sent again under the same id\n`,
      );
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }, 240_000);

  it('resumes after a SIGTERM without sending anything twice: the send under way is stored first', async () => {
    const { first, linked, account, campaignId } = await startCampaign('term-1');
    const stopped = await stop(first, 'SIGTERM', account, linked);
    expect(stopped.exit).toEqual({ code: 0, signal: null });
    // nothing WhatsApp received is left queued (it would be sent again at the boot)
    const atStop = await queueAtStop('term-1', account);
    expect([...atStop.inWindow, ...atStop.receipted]).toEqual([]);

    const second = await processes.start(env());
    try {
      expect(await everyoneOnce(account, linked)).toEqual([]);
      expect(account.received()).toHaveLength(CONTACTS);
      await expectCompleted(second, 'term-1', campaignId);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }, 240_000);

  /** A gateway process with a linked session running a 60-recipient campaign. */
  async function startCampaign(sessionId: string): Promise<{
    first: GatewayProcess;
    linked: LinkInfo;
    account: SimAccount;
    campaignId: string;
  }> {
    const first = await processes.start(env());
    const socket = await connectSocket(first.url, { auth: { token: KEY } });
    const qr = nextEvent<{ qr: string }>(socket, 'qr_code');
    const connected = nextEvent(socket, 'session_connected');
    await emitWithAck(socket, 'start_session', { sessionId });
    const linked = await processes.sim.scan((await qr).qr, { contacts: CONTACTS, groups: 0 });
    await connected;
    socket.close();
    const account = processes.sim.account(linked.phone);
    await account.waitForReady();
    const created = await call(first, 'POST', `/sessions/${sessionId}/campaigns`, {
      name: 'across a stop',
      message: '{Hi|Hello} {{name}} #{{n}}',
      recipients: linked.contacts.map((contact, index) => ({
        to: contact.pn,
        name: contact.name,
        variables: { n: String(index) },
      })),
      // slow enough to be stopped mid-way, fast enough for a test
      pacing: { minIntervalMs: 20, maxIntervalMs: 60 },
    });
    expect(created.status).toBe(201);
    return { first, linked, account, campaignId: (created.body.data as { id: string }).id };
  }

  /**
   * Stops the process with `signal` the moment WhatsApp has a third of the messages (right after
   * a send: the most likely moment for one to be in flight), and waits until the simulator saw
   * the connection end, so everything the process wrote has arrived.
   */
  async function stop(
    gateway: GatewayProcess,
    signal: NodeJS.Signals,
    account: SimAccount,
    linked: LinkInfo,
  ): Promise<{ exit: { code: number | null; signal: NodeJS.Signals | null }; received: number }> {
    await account.waitForMessage(() => account.received().length >= CONTACTS / 3, 60_000);
    const closed = processes.sim.waitFor('closed', (event) => event.phone === linked.phone, 30_000);
    gateway.child.kill(signal);
    const exit = await gateway.exited;
    await closed;
    const received = account.received().length;
    expect(received).toBeLessThan(CONTACTS);
    return { exit, received };
  }

  async function queueAtStop(sessionId: string, account: SimAccount): Promise<QueueAtStop> {
    const dataSource = await openDataSource(dataSourceOptions(processes.db.config));
    try {
      const queued = await dataSource.getRepository(QueuedSendEntity).findBy({ sessionId });
      const ids = queued.map((row) => row.messageId);
      const where = { sessionId, messageId: In(ids) };
      const [stored, receipts] = await Promise.all([
        dataSource.getRepository(MessageEntity).findBy(where),
        dataSource.getRepository(MessageStatusEntity).findBy(where),
      ]);
      const storedIds = new Set(stored.map((row) => row.messageId));
      const receipted = new Set(
        receipts.map((row) => row.messageId).filter((id) => !storedIds.has(id)),
      );
      const received = new Set(account.received().map((message) => message.id));
      return {
        inWindow: new Set(
          ids.filter((id) => received.has(id) && !storedIds.has(id) && !receipted.has(id)),
        ),
        receipted,
        queued: queued.length,
      };
    } finally {
      await dataSource.destroy();
    }
  }

  /**
   * Waits until every contact got its message, checks each got its own text under exactly one
   * message id, and returns the ids WhatsApp received more than once.
   */
  async function everyoneOnce(account: SimAccount, linked: LinkInfo): Promise<string[]> {
    const everyone = () =>
      new Set(account.received().map((message) => message.to)).size === CONTACTS;
    await account.waitForMessage(everyone, 90_000);
    linked.contacts.forEach((contact, index) => {
      const got = account.received().filter((m) => m.to === `${contact.pn}@s.whatsapp.net`);
      expect(new Set(got.map((message) => message.id)).size).toBe(1);
      expect(new Set(got.map((message) => message.text))).toEqual(
        new Set([expect.stringMatching(new RegExp(`^(Hi|Hello) .* #${index}$`))]),
      );
    });
    const counts = new Map<string, number>();
    account
      .received()
      .forEach((message) => counts.set(message.id, (counts.get(message.id) ?? 0) + 1));
    return [...counts].filter(([, count]) => count > 1).map(([id]) => id);
  }

  async function expectCompleted(
    gateway: GatewayProcess,
    sessionId: string,
    campaignId: string,
  ): Promise<void> {
    let view = await call(gateway, 'GET', `/sessions/${sessionId}/campaigns/${campaignId}`);
    for (let attempt = 0; attempt < 200; attempt++) {
      if ((view.body.data as { state: string }).state === 'completed') {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      view = await call(gateway, 'GET', `/sessions/${sessionId}/campaigns/${campaignId}`);
    }
    const data = view.body.data as { state: string; counts: Record<string, number> };
    expect(data.state).toBe('completed');
    expect(data.counts.pending + data.counts.queued + data.counts.failed).toBe(0);
    expect(data.counts.skipped).toBe(0);
  }
});

async function call(
  gateway: GatewayProcess,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: { data: unknown } }> {
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers: { 'X-API-Key': KEY, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { data: unknown } };
}

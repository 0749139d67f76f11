import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import type { SimAccount, WaSimulator } from '../wa-sim';
import { startSimulator } from '../support/gateway-with-sim';
import { emitWithAck, nextEvent } from '../support/socket-client';
import { createTestDatabase, TestDatabase, testTier } from '../support/test-database';
import { call, clusterSocket, owners, TestCluster } from '../support/cluster';
import { WebhookReceiver } from '../support/webhook-receiver';

/** Every socket.io event a client got, with a wait for one that matches. */
class EventLog {
  readonly events: { name: string; payload: Record<string, unknown>; at: number }[] = [];
  private readonly waiters: (() => void)[] = [];

  constructor(socket: Socket) {
    socket.onAny((name: string, payload: Record<string, unknown>) => {
      this.events.push({ name, payload, at: Date.now() });
      this.waiters.splice(0).forEach((wake) => wake());
    });
  }

  async until(what: string, done: (log: EventLog) => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this)) {
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()) + 1);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  count(name: string, sessionId: string, after = 0): number {
    return this.events.filter(
      (event) => event.name === name && event.payload?.sessionId === sessionId && event.at >= after,
    ).length;
  }
}

/** Inbound messages from the simulated contacts to some sessions, and whether they were stored. */
class InboundStream {
  readonly sent: Map<string, Set<string>>;
  private rounds = 0;

  constructor(
    private readonly log: EventLog,
    private readonly accounts: Map<string, SimAccount>,
    private readonly sessions: string[],
    private readonly prefix: string,
  ) {
    this.sent = new Map(sessions.map((id) => [id, new Set<string>()]));
  }

  /** One message to each session, then 50 ms. */
  async round(): Promise<void> {
    for (const sessionId of this.sessions) {
      const account = this.accounts.get(sessionId) as SimAccount;
      const text = `${this.prefix} ${sessionId} #${this.rounds}`;
      await account.sendText(account.contacts[1].pn, text);
      this.sent.get(sessionId)?.add(text);
    }
    this.rounds += 1;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  /** The texts a session's `message_received` events carried (the store publishes them). */
  stored(sessionId: string): Set<string> {
    return new Set(
      this.log.events
        .filter(
          (event) => event.name === 'message_received' && event.payload.sessionId === sessionId,
        )
        .map((event) => (event.payload.message as { text: string }).text),
    );
  }

  allStored(what: string): Promise<void> {
    const missing = (): string[] =>
      this.sessions.flatMap((sessionId) =>
        [...(this.sent.get(sessionId) ?? [])].filter((text) => !this.stored(sessionId).has(text)),
      );
    return this.log
      .until(what, () => missing().length === 0, 30_000)
      .catch((error: Error) => {
        throw new Error(`${error.message}; missing: ${missing().join(', ')}`);
      });
  }

  /** The stored inbound texts of a session, with how many rows each has. */
  async storedRows(node: { url: string }, sessionId: string): Promise<Map<string, number>> {
    const rows = new Map<string, number>();
    for (let page = 1; ; page++) {
      const listed = await call<{ text: string | null }[]>(
        node,
        'GET',
        `/api/v1/messages?user_token=${sessionId}&from_me=false&per_page=500&page=${page}`,
      );
      for (const row of listed.body.data) {
        if (row.text?.startsWith(`${this.prefix} `)) {
          rows.set(row.text, (rows.get(row.text) ?? 0) + 1);
        }
      }
      if (listed.body.data.length < 500) {
        return rows;
      }
    }
  }

  /**
   * Every message sent is stored exactly once. Read from the store: socket.io is at-most-once
   * (a process that shuts down may store a message it can no longer publish), so this polls the
   * API until the rows are there, within a deadline.
   */
  async expectStoredOnce(node: { url: string }): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (const sessionId of this.sessions) {
      const sent = [...(this.sent.get(sessionId) ?? [])];
      let rows = await this.storedRows(node, sessionId);
      while (sent.some((text) => !rows.has(text)) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        rows = await this.storedRows(node, sessionId);
      }
      expect({ sessionId, missing: sent.filter((text) => !rows.has(text)) }).toEqual({
        sessionId,
        missing: [],
      });
      expect({ sessionId, twice: [...rows].filter(([, count]) => count > 1) }).toEqual({
        sessionId,
        twice: [],
      });
      expect(rows.size).toBe(sent.length);
    }
  }
}

const mysql = testTier() === 'mysql';
if (!mysql) {
  console.log('Cluster tests run on the MySQL tier only: cluster mode needs MySQL and Redis.');
}
const SESSIONS = Array.from({ length: 12 }, (_, i) => `cl-${String(i + 1).padStart(2, '0')}`);

(mysql ? describe : describe.skip)('cluster: 3 processes, one MariaDB, one Redis', () => {
  let sim: WaSimulator;
  let untrust: () => void;
  let db: TestDatabase;
  let cluster: TestCluster;
  let watcher: Socket;
  let log: EventLog;
  let receiver: WebhookReceiver;
  const accounts = new Map<string, SimAccount>();

  beforeAll(async () => {
    mkdirSync(join(__dirname, '..', '..', '.test-build'), { recursive: true });
    ({ sim, untrust } = await startSimulator());
    db = await createTestDatabase();
    receiver = await WebhookReceiver.start();
    cluster = new TestCluster(sim, db, {
      LEASE_TTL_MS: '5000',
      WEBHOOK_URL: `${receiver.url}/all`,
      WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      WEBHOOK_POLL_INTERVAL_MS: '100',
      WEBHOOK_LEASE_MS: '2000',
    });
    // one at a time: the first runs the migrations
    await cluster.start('gw-a');
    await Promise.all([cluster.start('gw-b'), cluster.start('gw-c')]);
    watcher = await clusterSocket(cluster.node('gw-a'));
    log = new EventLog(watcher);
  }, 120_000);
  afterAll(async () => {
    watcher?.close();
    await cluster?.stop();
    await receiver?.stop();
    await sim?.stop();
    untrust?.();
    await db?.drop();
  }, 60_000);

  it('links 12 sessions created at once through any process, each owned by exactly one, 4 per process', async () => {
    const nodes = cluster.nodes;
    // all at once: each placement must count the ones made meanwhile on every process
    const created = await Promise.all(
      SESSIONS.map((sessionId, index) =>
        call(nodes[index % 3], 'POST', '/sessions', { sessionId }),
      ),
    );
    expect(created.map((answer) => answer.status)).toEqual(SESSIONS.map(() => 201));
    // the QR of every session reaches the client on gw-a, whichever process runs it
    for (const sessionId of SESSIONS) {
      await log.until(`QR of ${sessionId}`, () => log.count('qr_code', sessionId) > 0);
      const qr = log.events.find(
        (event) => event.name === 'qr_code' && event.payload.sessionId === sessionId,
      )?.payload.qr as string;
      const linked = await sim.scan(qr, { name: sessionId });
      accounts.set(sessionId, sim.account(linked.phone));
    }
    await log.until('12 connected', () =>
      SESSIONS.every((sessionId) => log.count('session_connected', sessionId) > 0),
    );
    const byNode = await owners(cluster.node('gw-b'));
    const owned = [...byNode.values()].flat();
    expect(owned.sort()).toEqual([...SESSIONS].sort());
    expect([...byNode.values()].map((sessions) => sessions.length)).toEqual([4, 4, 4]);
  }, 180_000);

  it('answers REST and socket.io for every session from every process', async () => {
    for (const sessionId of SESSIONS) {
      const account = accounts.get(sessionId) as SimAccount;
      const contact = account.contacts[0];
      for (const node of cluster.nodes) {
        const text = `${sessionId} via ${node.nodeId}`;
        const sent = await call<{ id: string }>(node, 'POST', `/sessions/${sessionId}/messages`, {
          to: contact.pn,
          message: text,
        });
        expect({ status: sent.status, message: sent.body.message }).toEqual({
          status: 201,
          message: 'Message sent',
        });
        await account.waitForMessage((message) => message.text === text);
      }
    }
    for (const node of cluster.nodes) {
      const socket = await clusterSocket(node);
      try {
        for (const sessionId of SESSIONS) {
          // a command that needs the live connection is carried out by the owner, answered here
          const account = accounts.get(sessionId) as SimAccount;
          const text = `${sessionId} over socket.io via ${node.nodeId}`;
          const echoed = nextEvent<{ sessionId: string; messageId: string }>(
            socket,
            'message_sent',
            (payload) => payload.sessionId === sessionId,
          );
          const sent = await emitWithAck<{ success: boolean; message: string }>(
            socket,
            'send_whatsapp_message',
            { sessionId, to: account.contacts[0].pn, message: text },
          );
          expect({ sessionId, node: node.nodeId, ack: sent.message }).toEqual({
            sessionId,
            node: node.nodeId,
            ack: 'Message sent',
          });
          expect((await echoed).sessionId).toBe(sessionId);
          await account.waitForMessage((message) => message.text === text);
          const status = await emitWithAck<{ success: boolean; data: { status: string } }>(
            socket,
            'get_session_status',
            { sessionId },
          );
          expect({ sessionId, status: status.data.status }).toEqual({
            sessionId,
            status: 'connected',
          });
        }
      } finally {
        socket.close();
      }
    }
  }, 180_000);

  it('moves the sessions of a SIGKILLed process to the survivors within 20 s, nothing lost', async () => {
    const before = await owners(cluster.node('gw-a'));
    const victim = cluster.node('gw-c');
    const moving = before.get('gw-c') ?? [];
    expect(moving).toHaveLength(4);
    // inbound messages go on before the kill, while the sessions are down and after they are
    // back: one per session every 50 ms
    const stream = new InboundStream(log, accounts, moving, 'in');
    const sentIn = stream.sent;
    const sendRound = (): Promise<void> => stream.round();
    const allStored = (what: string): Promise<void> => stream.allStored(what);
    for (let i = 0; i < 10; i++) {
      await sendRound();
    }
    await allStored('the first inbound messages');
    // the kill comes in the middle of the stream: a message in flight at that instant is stored
    // before its receipt (or not acknowledged, and then delivered again to the new owner)
    let killing = true;
    const duringKill = (async () => {
      while (killing) {
        await sendRound();
      }
    })();
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toEqual({ code: null, signal: 'SIGKILL' });
    killing = false;
    await duringKill;
    let back = false;
    const reconnected = log
      .until(
        'the 4 sessions connected again',
        () => moving.every((sessionId) => log.count('session_connected', sessionId, killedAt) > 0),
        20_000,
      )
      .finally(() => {
        back = true;
      });
    // REST sends go on through a survivor: refused while the session runs nowhere (503/400),
    // accepted again once it is back; none may reach WhatsApp twice
    const sendsOut: { sessionId: string; text: string; status: number }[] = [];
    const outbound = (async () => {
      for (let i = 0, afterBack = 0; !back || afterBack < 8; i++) {
        afterBack += back ? 1 : 0;
        const sessionId = moving[i % moving.length];
        const account = accounts.get(sessionId) as SimAccount;
        const text = `out ${sessionId} #${i}`;
        const sent = await call(cluster.node('gw-a'), 'POST', `/sessions/${sessionId}/messages`, {
          to: account.contacts[0].pn,
          message: text,
        });
        sendsOut.push({ sessionId, text, status: sent.status });
        if (sent.status !== 201) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    })();
    while (!back) {
      await sendRound();
    }
    await reconnected;
    await outbound;
    const tookMs = Date.now() - killedAt;
    for (let i = 0; i < 10; i++) {
      await sendRound();
    }
    await allStored('every inbound message stored');
    // exactly once: one row per message sent
    await stream.expectStoredOnce(cluster.node('gw-b'));
    // the client on a survivor saw each session go (reported by its new owner) and come back
    for (const sessionId of moving) {
      const wentAt = log.events.find(
        (event) =>
          event.name === 'session_disconnected' &&
          event.payload.sessionId === sessionId &&
          event.at >= killedAt,
      )?.at;
      const cameAt = log.events.find(
        (event) =>
          event.name === 'session_connected' &&
          event.payload.sessionId === sessionId &&
          event.at >= killedAt,
      )?.at;
      expect({
        sessionId,
        went: wentAt !== undefined,
        wentFirst: (wentAt ?? 0) <= (cameAt ?? 0),
      }).toEqual({
        sessionId,
        went: true,
        wentFirst: true,
      });
    }
    // every accepted send reached WhatsApp exactly once, and nothing reached it twice
    const accepted = sendsOut.filter((send) => send.status === 201);
    expect(accepted.length).toBeGreaterThan(0);
    expect(sendsOut.every((send) => [201, 400, 503].includes(send.status))).toBe(true);
    for (const send of accepted) {
      await (accounts.get(send.sessionId) as SimAccount).waitForMessage(
        (message) => message.text === send.text,
      );
    }
    for (const sessionId of moving) {
      const texts = (accounts.get(sessionId) as SimAccount)
        .received()
        .map((message) => message.text)
        .filter((text) => text?.startsWith('out '));
      expect(texts.length).toBe(new Set(texts).size);
    }
    // every inbound message went out as a webhook, each event under one webhook-id
    const inboundTexts = new Set(moving.flatMap((sessionId) => [...(sentIn.get(sessionId) ?? [])]));
    const textOf = (body: Record<string, unknown>): string | undefined =>
      (body.event as { Message?: { conversation?: string } } | undefined)?.Message?.conversation;
    const deliveredTexts = (): number =>
      new Set(
        receiver.received
          .filter((hook) => hook.status === 200)
          .map((hook) => textOf(hook.body))
          .filter((text) => text !== undefined && inboundTexts.has(text)),
      ).size;
    if (deliveredTexts() < inboundTexts.size) {
      await receiver.next(() => deliveredTexts() >= inboundTexts.size, 30_000);
    }
    const idsByText = new Map<string, Set<string>>();
    for (const hook of receiver.received) {
      const text = textOf(hook.body);
      if (text && inboundTexts.has(text)) {
        idsByText.set(
          text,
          (idsByText.get(text) ?? new Set()).add(String(hook.headers['webhook-id'])),
        );
      }
    }
    expect(idsByText.size).toBe(inboundTexts.size);
    expect([...idsByText.values()].every((ids) => ids.size === 1)).toBe(true);
    const copies = receiver.received.filter((hook) =>
      inboundTexts.has(textOf(hook.body) ?? ''),
    ).length;
    console.log(
      `cluster: ${moving.length} sessions of a SIGKILLed process back in ${tookMs} ms; ` +
        `${accepted.length}/${sendsOut.length} sends accepted meanwhile; ` +
        `${inboundTexts.size} inbound webhooks, ${copies - inboundTexts.size} redelivered copies`,
    );
    const after = await owners(cluster.node('gw-a'));
    expect([...after.keys()].sort()).toEqual(['gw-a', 'gw-b']);
    expect([...after.values()].flat().sort()).toEqual([...SESSIONS].sort());
    expect(tookMs).toBeLessThan(20_000);
  }, 120_000);

  it('hands the sessions of a SIGTERMed process over at once, each reconnected once', async () => {
    const before = await owners(cluster.node('gw-a'));
    const leaving = before.get('gw-b') ?? [];
    expect(leaving.length).toBeGreaterThan(0);
    const node = cluster.node('gw-b');
    const stream = new InboundStream(log, accounts, leaving, 'handed');
    for (let i = 0; i < 5; i++) {
      await stream.round();
    }
    const stoppedAt = Date.now();
    node.child.kill('SIGTERM');
    // messages go on while the sessions change hands
    let exited = false;
    const exit = node.exited.finally(() => {
      exited = true;
    });
    while (!exited) {
      await stream.round();
    }
    expect(await exit).toEqual({ code: 0, signal: null });
    // released, not expired: taken over well within one lease TTL (5 s here)
    await log.until(
      'the sessions of gw-b connected on gw-a',
      () => leaving.every((sessionId) => log.count('session_connected', sessionId, stoppedAt) > 0),
      4_000,
    );
    for (let i = 0; i < 5; i++) {
      await stream.round();
    }
    await stream.expectStoredOnce(cluster.node('gw-a'));
    const after = await owners(cluster.node('gw-a'));
    expect([...after.keys()]).toEqual(['gw-a']);
    expect(after.get('gw-a')).toEqual([...SESSIONS].sort());
    for (const sessionId of leaving) {
      expect({ sessionId, connects: log.count('session_connected', sessionId, stoppedAt) }).toEqual(
        {
          sessionId,
          connects: 1,
        },
      );
    }
  }, 60_000);

  it('fences a paused owner: after SIGCONT it drops the sessions, writes nothing, sends nothing', async () => {
    const fresh = await cluster.start('gw-d');
    const paused = cluster.node('gw-a');
    // the watcher on gw-a hears nothing while gw-a is paused: watch from gw-d
    const freshSocket = await clusterSocket(fresh);
    const freshLog = new EventLog(freshSocket);
    paused.child.kill('SIGSTOP');
    const pausedAt = Date.now();
    await freshLog.until(
      'gw-d owning every session',
      () =>
        SESSIONS.every((sessionId) => freshLog.count('session_connected', sessionId, pausedAt) > 0),
      30_000,
    );
    const linesBefore = paused.lines.length;
    paused.child.kill('SIGCONT');
    const dropped = (): string[] =>
      SESSIONS.filter((sessionId) =>
        paused.lines
          .slice(linesBefore)
          .some((line) => line.includes(`[${sessionId}] owned by another gateway process now`)),
      );
    const deadline = Date.now() + 15_000;
    while (dropped().length < SESSIONS.length && Date.now() < deadline) {
      // the woken process writes its log as it drops each session: wait for its lines
      await new Promise((resolve) => paused.child.stdout?.once('data', resolve));
    }
    expect(dropped()).toEqual(SESSIONS);
    const byNode = await owners(fresh);
    expect(byNode.get('gw-d')).toEqual([...SESSIONS].sort());
    // the new owner's state and keys are intact: every session is connected and sends
    for (const sessionId of SESSIONS) {
      const status = await call<{ status: string }>(fresh, 'GET', `/sessions/${sessionId}/status`);
      expect({ sessionId, status: status.body.data.status }).toEqual({
        sessionId,
        status: 'connected',
      });
      const account = accounts.get(sessionId) as SimAccount;
      const text = `${sessionId} after the split brain`;
      const sent = await call(paused, 'POST', `/sessions/${sessionId}/messages`, {
        to: account.contacts[0].pn,
        message: text,
      });
      expect({ sessionId, status: sent.status }).toEqual({ sessionId, status: 201 });
      await account.waitForMessage((message) => message.text === text);
    }
    freshSocket.close();
  }, 90_000);
});

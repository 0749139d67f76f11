import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import type { SimAccount, WaSimulator } from '../wa-sim';
import { startSimulator } from '../support/gateway-with-sim';
import { emitWithAck, nextEvent } from '../support/socket-client';
import { createTestDatabase, TestDatabase, testTier } from '../support/test-database';
import { call, clusterSocket, owners, TestCluster } from '../support/cluster';

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
  const accounts = new Map<string, SimAccount>();

  beforeAll(async () => {
    mkdirSync(join(__dirname, '..', '..', '.test-build'), { recursive: true });
    ({ sim, untrust } = await startSimulator());
    db = await createTestDatabase();
    cluster = new TestCluster(sim, db, { LEASE_TTL_MS: '5000' });
    // one at a time: the first runs the migrations
    await cluster.start('gw-a');
    await Promise.all([cluster.start('gw-b'), cluster.start('gw-c')]);
    watcher = await clusterSocket(cluster.node('gw-a'));
    log = new EventLog(watcher);
  }, 120_000);
  afterAll(async () => {
    watcher?.close();
    await cluster?.stop();
    await sim?.stop();
    untrust?.();
    await db?.drop();
  }, 60_000);

  it('links 12 sessions through any process, each owned by exactly one, 4 per process', async () => {
    const nodes = cluster.nodes;
    for (const [index, sessionId] of SESSIONS.entries()) {
      const created = await call(nodes[index % 3], 'POST', '/sessions', { sessionId });
      expect({ sessionId, status: created.status }).toEqual({ sessionId, status: 201 });
    }
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
    const sentIn = new Map<string, Set<string>>(moving.map((id) => [id, new Set<string>()]));
    let round = 0;
    const sendRound = async (): Promise<void> => {
      for (const sessionId of moving) {
        const account = accounts.get(sessionId) as SimAccount;
        const text = `in ${sessionId} #${round}`;
        await account.sendText(account.contacts[1].pn, text);
        sentIn.get(sessionId)?.add(text);
      }
      round += 1;
      await new Promise((resolve) => setTimeout(resolve, 50));
    };
    const storedTexts = (sessionId: string): Set<string> =>
      new Set(
        log.events
          .filter(
            (event) => event.name === 'message_received' && event.payload.sessionId === sessionId,
          )
          .map((event) => (event.payload.message as { text: string }).text),
      );
    const allStored = (what: string): Promise<void> =>
      log.until(
        what,
        () =>
          moving.every((sessionId) =>
            [...(sentIn.get(sessionId) ?? [])].every((text) => storedTexts(sessionId).has(text)),
          ),
        30_000,
      );
    for (let i = 0; i < 10; i++) {
      await sendRound();
    }
    // A message in flight at the very instant of a kill is only safe if the server redelivers
    // what the client did not acknowledge: the kill comes between two messages
    await allStored('the inbound messages sent before the kill');
    const phones = new Set(moving.map((sessionId) => accounts.get(sessionId)?.phone));
    let closedCount = 0;
    const closed = sim.waitFor('closed', (event) => {
      closedCount += phones.has(event.phone) ? 1 : 0;
      return closedCount === moving.length;
    });
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toEqual({ code: null, signal: 'SIGKILL' });
    await closed;
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
    while (!back) {
      await sendRound();
    }
    await reconnected;
    const tookMs = Date.now() - killedAt;
    for (let i = 0; i < 10; i++) {
      await sendRound();
    }
    await allStored('every inbound message stored');
    for (const sessionId of moving) {
      // exactly once: the store holds as many as were sent
      const listed = await call(
        cluster.node('gw-b'),
        'GET',
        `/api/v1/messages?user_token=${sessionId}&from_me=false&per_page=1`,
      );
      expect({ sessionId, stored: listed.body.meta?.total }).toEqual({
        sessionId,
        stored: sentIn.get(sessionId)?.size,
      });
    }
    console.log(`cluster: ${moving.length} sessions of a SIGKILLed process back in ${tookMs} ms`);
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
    const stoppedAt = Date.now();
    node.child.kill('SIGTERM');
    expect(await node.exited).toEqual({ code: 0, signal: null });
    // released, not expired: taken over well within one lease TTL (5 s here)
    await log.until(
      'the sessions of gw-b connected on gw-a',
      () => leaving.every((sessionId) => log.count('session_connected', sessionId, stoppedAt) > 0),
      4_000,
    );
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

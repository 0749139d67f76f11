import { DisconnectReason } from '@whiskeysockets/baileys';
import { TestClient } from '../testing/baileys-client';
import { linkClient, type LinkedClient } from '../testing/link-client';
import { useSimulator } from '../testing/sim-fixture';

/** An application's reconnect loop: retries after each close (with a short backoff) until open. */
async function reconnectUntilOpen(
  connect: () => TestClient,
  backoffMs: number,
  deadlineMs: number,
): Promise<{ client: TestClient; failedAttempts: number }> {
  const started = Date.now();
  for (let failedAttempts = 0; Date.now() - started < deadlineMs; failedAttempts++) {
    const client = connect();
    if ((await client.waitForOpenOrClose(deadlineMs)).open) {
      return { client, failedAttempts };
    }
    await new Promise((resolve) => setTimeout(resolve, backoffMs)); // the application's backoff
  }
  throw new Error('never reconnected');
}

describe('WhatsApp Web simulator: faults', () => {
  const fixture = useSimulator();
  const link = async (): Promise<LinkedClient> => {
    const linked = await linkClient(
      fixture.sim,
      { contacts: 2, groups: 0 },
      { syncHistory: false },
    );
    fixture.track(linked.client);
    return linked;
  };
  const reconnect = ({ auth }: LinkedClient): TestClient =>
    fixture.track(TestClient.connect(fixture.sim.wsUrl, auth, { syncHistory: false }));

  it('401 kick: the client is logged out and the device forgotten', async () => {
    const session = await link();
    const closed = session.client.waitForClose();
    expect(fixture.sim.account(session.linked.phone).kick(401)).toBe(1);
    expect(await closed).toBe(DisconnectReason.loggedOut);
    expect(fixture.sim.account(session.linked.phone).devices).toEqual([]);
    const refused = fixture.sim.waitFor(
      'login-refused',
      (event) => event.phone === session.linked.phone,
    );
    expect(await reconnect(session).waitForClose()).toBe(DisconnectReason.loggedOut);
    await refused;
  });

  it('440 kick: connection replaced', async () => {
    const session = await link();
    const closed = session.client.waitForClose();
    fixture.sim.account(session.linked.phone).kick(440);
    expect(await closed).toBe(DisconnectReason.connectionReplaced);
  });

  it('a second connection with the same credentials replaces the first (440)', async () => {
    const session = await link();
    const replaced = session.client.waitForClose();
    const second = reconnect(session);
    await second.waitForOpen();
    expect(await replaced).toBe(DisconnectReason.connectionReplaced);
  });

  it('503 kick: service unavailable, and the client can come back', async () => {
    const session = await link();
    const closed = session.client.waitForClose();
    fixture.sim.account(session.linked.phone).kick(503);
    expect(await closed).toBe(DisconnectReason.unavailableService);
    await reconnect(session).waitForOpen();
  });

  it('drop: the client sees the connection close and reconnects', async () => {
    const session = await link();
    const closed = session.client.waitForClose();
    const serverSide = fixture.sim.waitFor(
      'closed',
      (event) => event.phone === session.linked.phone,
    );
    expect(fixture.sim.account(session.linked.phone).drop()).toBe(1);
    expect(await closed).toBe(DisconnectReason.connectionClosed);
    expect((await serverSide).reason).toBe('drop');
    const back = reconnect(session);
    await back.waitForOpen();
    const upsert = back.waitForEvent('messages.upsert');
    await fixture.sim
      .account(session.linked.phone)
      .sendText(session.linked.contacts[0].pn, 'after the drop');
    await upsert;
  });

  it('messages sent while a device is offline are delivered at its next login', async () => {
    const session = await link();
    const account = fixture.sim.account(session.linked.phone);
    const closed = session.client.waitForClose();
    account.drop();
    await closed;
    const { id } = await account.sendText(session.linked.contacts[1].pn, 'while you were away');
    const back = reconnect(session);
    const upsert = back.waitForEvent('messages.upsert', ({ messages }) =>
      messages.some((m) => m.key.id === id),
    );
    await back.waitForOpen();
    const { messages } = await upsert;
    expect(messages.find((m) => m.key.id === id)?.message?.conversation).toBe(
      'while you were away',
    );
  });

  it('refused connections: reconnecting fails until the window ends', async () => {
    const session = await link();
    const { sim } = fixture;
    const closed = session.client.waitForClose();
    const windowMs = 1_500;
    sim.refuseConnections(windowMs);
    const windowEnds = Date.now() + windowMs;
    sim.account(session.linked.phone).drop();
    await closed;
    const { client, failedAttempts } = await reconnectUntilOpen(
      () => reconnect(session),
      200,
      10_000,
    );
    expect(failedAttempts).toBeGreaterThan(0);
    expect(Date.now()).toBeGreaterThanOrEqual(windowEnds);
    expect(client.isClosed).toBe(false);
  });

  it('an account can refuse its own connections while others connect', async () => {
    const session = await link();
    const other = await link();
    const account = fixture.sim.account(session.linked.phone);
    account.refuseConnections(1_000);
    const closed = session.client.waitForClose();
    account.drop();
    await closed;
    const refused = fixture.sim.waitFor(
      'closed',
      (event) => event.phone === session.linked.phone && event.reason === 'refused',
    );
    const { failedAttempts } = await reconnectUntilOpen(() => reconnect(session), 200, 10_000);
    await refused;
    expect(failedAttempts).toBeGreaterThan(0);
    expect(fixture.sim.account(other.linked.phone).connected).toBe(true);
  });
});

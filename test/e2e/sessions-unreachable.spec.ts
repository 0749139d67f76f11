import { createServer } from 'node:net';
import { SessionEvents, SessionDisconnectedEvent } from '../../src/whatsapp/session-events';
import { nextSessionEvent } from '../support/gateway-with-sim';
import { startTestApp, TestApp } from '../support/test-app';
import { testTier } from '../support/test-database';

/** A port on this machine that nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

describe(`a session that cannot reach WhatsApp (${testTier()})`, () => {
  let gateway: TestApp;
  let port: number;

  beforeAll(async () => {
    port = await closedPort();
    gateway = await startTestApp({
      WA_WS_URL: `ws://127.0.0.1:${port}`,
      WA_RECONNECT_BASE_DELAY_MS: '100',
      WA_RECONNECT_MAX_DELAY_MS: '1000',
      WA_RECONNECT_MAX_ATTEMPTS: '2',
    });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('says what happened (connection refused), retries, then gives up with the same words', async () => {
    const first = nextSessionEvent<SessionDisconnectedEvent>(
      gateway,
      SessionEvents.Disconnected,
      'offline',
    );
    const gaveUp = nextSessionEvent<SessionDisconnectedEvent>(
      gateway,
      SessionEvents.Disconnected,
      'offline',
      (event) => !event.willReconnect,
    );
    expect((await gateway.post('/sessions', { sessionId: 'offline' })).status).toBe(201);
    const refused = `cannot reach WhatsApp: connection to 127.0.0.1:${port} refused`;
    expect(await first).toMatchObject({
      willReconnect: true,
      reason: expect.stringMatching(new RegExp(`^${refused}; reconnecting in `)),
    });
    expect((await gaveUp).reason).toBe(`gave up after 2 failed reconnect attempts: ${refused}`);
    const status = (await (await gateway.request('/sessions/offline/status')).json()) as {
      data: Record<string, unknown>;
    };
    expect(status.data).toMatchObject({
      status: 'disconnected',
      disconnectReason: `gave up after 2 failed reconnect attempts: ${refused}`,
    });
  });
});

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import type { WaSimulator } from '../wa-sim';
import { SessionEvents, SessionQrEvent } from '../../src/whatsapp/session-events';
import { buildGateway, startGatewayProcess } from '../support/built-gateway';
import { nextSessionEvent, startGateway, startSimulator } from '../support/gateway-with-sim';
import type { TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase, testTier } from '../support/test-database';
import { ReceivedWebhook, WebhookReceiver } from '../support/webhook-receiver';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

function verified(webhook: ReceivedWebhook): unknown {
  return new Webhook(SECRET).verify(webhook.raw, {
    'webhook-id': webhook.headers['webhook-id'] as string,
    'webhook-timestamp': webhook.headers['webhook-timestamp'] as string,
    'webhook-signature': webhook.headers['webhook-signature'] as string,
  });
}

describe(`native Baileys session events as 003 webhooks (${testTier()})`, () => {
  let sim: WaSimulator;
  let untrust: () => void;
  let gateway: TestApp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    ({ sim, untrust } = await startSimulator());
    receiver = await WebhookReceiver.start();
    gateway = await startGateway(sim, {
      WEBHOOK_URL: `${receiver.url}/all`,
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_POLL_INTERVAL_MS: '50',
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await receiver?.stop();
    await sim?.stop();
    untrust?.();
  });

  it('delivers the QR and the Connected of a session linked with the simulator, signed', async () => {
    const qrEvent = nextSessionEvent<SessionQrEvent>(gateway, SessionEvents.Qr, 'native-1');
    const qrWebhook = receiver.next((w) => w.body.type === 'QR' && w.body.token === 'native-1');
    const connectedWebhook = receiver.next(
      (w) => w.body.type === 'Connected' && w.body.token === 'native-1',
      30_000,
    );
    expect((await gateway.post('/sessions', { sessionId: 'native-1' })).status).toBe(201);
    const { qr } = await qrEvent;
    expect(verified(await qrWebhook)).toMatchObject({
      type: 'QR',
      token: 'native-1',
      event: 'code',
      qrCodeBase64: expect.stringMatching(/^data:image\/png;base64,/) as string,
    });
    const linked = await sim.scan(qr, { name: 'Nina' });
    const connected = await connectedWebhook;
    expect(verified(connected)).toEqual({
      type: 'Connected',
      token: 'native-1',
      event: {
        Timestamp: expect.any(String) as string,
        JID: expect.stringMatching(
          new RegExp(`^${linked.phone}:\\d+@s\\.whatsapp\\.net$`),
        ) as string,
        PhoneNumber: linked.phone,
        PushName: expect.any(String) as string,
      },
    });
    // The 515 restart after pairing is reported too, before the Connected
    const types = receiver.received
      .filter((w) => w.body.token === 'native-1')
      .map((w) => w.body.type);
    expect(types.indexOf('QR')).toBeLessThan(types.indexOf('Connected'));
    expect(types).toContain('Disconnected');
  }, 60_000);
});

describe(`webhook deliveries across a SIGKILL of the gateway process (${testTier()})`, () => {
  let build: ReturnType<typeof buildGateway>;
  let db: TestDatabase;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    mkdirSync(join(__dirname, '..', '..', '.test-build'), { recursive: true });
    build = buildGateway();
    db = await createTestDatabase();
    receiver = await WebhookReceiver.start();
  }, 120_000);
  afterAll(async () => {
    await receiver?.stop();
    build?.remove();
    await db?.drop();
  });

  it('delivers every event after a restart, none lost, duplicates only with the same webhook-id', async () => {
    const key = 'webhooks-process-key-0123456789';
    const env = {
      ...db.env,
      API_KEY: key,
      LOG_LEVEL: 'info',
      WEBHOOK_URL: `${receiver.url}/all`,
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_LEASE_MS: '1500',
      WEBHOOK_TIMEOUT_MS: '10000',
      WEBHOOK_POLL_INTERVAL_MS: '100',
    };
    // The first process's deliveries hang: they are in flight when it is killed
    receiver.answer = () => 'hang';
    const first = await startGatewayProcess(build.mainJs, env);
    const sent: string[] = [];
    for (let i = 0; i < 30; i++) {
      const token = `kill-${i % 3}`;
      const timestamp = new Date(Date.UTC(2025, 7, 14, 8, 0, i)).toISOString();
      const response = await fetch(`${first.url}/api/v1/webhook?api_key=${key}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ type: 'Connected', token, event: { Timestamp: timestamp } }),
      });
      expect(response.status).toBe(200);
      sent.push(`${token}|${timestamp}`);
    }
    // One delivery per session is in flight (each session's queue is ordered)
    await receiver.count(() => true, 3);
    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });

    receiver.answer = () => 200;
    const second = await startGatewayProcess(build.mainJs, env);
    try {
      const delivered = () => receiver.received.filter((w) => w.status === 200);
      await receiver.count((w) => w.status === 200, 30, 60_000);
      const eventOf = (w: ReceivedWebhook) =>
        `${w.body.token}|${(w.body.event as { Timestamp: string }).Timestamp}`;
      expect(new Set(delivered().map(eventOf))).toEqual(new Set(sent));
      // Every copy of one event carries the same webhook-id, and no two events share one
      const idsByEvent = new Map<string, Set<string>>();
      for (const w of receiver.received) {
        const ids = idsByEvent.get(eventOf(w)) ?? new Set<string>();
        ids.add(w.headers['webhook-id'] as string);
        idsByEvent.set(eventOf(w), ids);
        verified(w);
      }
      expect([...idsByEvent.values()].every((ids) => ids.size === 1)).toBe(true);
      expect(new Set([...idsByEvent.values()].map((ids) => [...ids][0])).size).toBe(30);
      // Per session, the first successful delivery of each event is in the order they happened
      for (const token of ['kill-0', 'kill-1', 'kill-2']) {
        const order = [
          ...new Set(
            delivered()
              .filter((w) => w.body.token === token)
              .map(eventOf),
          ),
        ];
        expect(order).toEqual(sent.filter((event) => event.startsWith(`${token}|`)));
      }
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }, 120_000);
});

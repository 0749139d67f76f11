import { Webhook } from 'standardwebhooks';
import { startTestApp, TestApp } from '../support/test-app';
import { testTier } from '../support/test-database';
import { ReceivedWebhook, WebhookReceiver } from '../support/webhook-receiver';

interface Body<T = Record<string, unknown>> {
  success: boolean;
  message: string;
  data: T;
  meta?: { page: number; per_page: number; total: number; last_page: number };
  errors?: { field: string; messages: string[] }[];
}

interface Target {
  id: string;
  sessionId: string | null;
  url: string;
  events: string[];
  enabled: boolean;
  paused: boolean;
  pauseReason: string | null;
  consecutiveFailures: number;
  secret?: string;
}

interface Delivery {
  id: string;
  webhookId: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  eventType: string;
  payload: { type: string; token: string };
}

const FAST = {
  WEBHOOK_POLL_INTERVAL_MS: '50',
  WEBHOOK_RETRY_BASE_DELAY_MS: '50',
  WEBHOOK_RETRY_MAX_DELAY_MS: '200',
  WEBHOOK_MAX_ATTEMPTS: '4',
  WEBHOOK_TIMEOUT_MS: '400',
  WEBHOOK_PAUSE_AFTER_FAILURES: '6',
};

async function json<T>(response: Response): Promise<Body<T>> {
  return (await response.json()) as Body<T>;
}

describe(`outbound webhooks (${testTier()})`, () => {
  let gateway: TestApp;
  let receiver: WebhookReceiver;
  let globalReceiver: WebhookReceiver;
  let clock = Date.parse('2025-08-14T07:00:00Z');

  /** An ingested 003 Connected event with a fresh timestamp: reported to the session's targets. */
  async function connected(token: string): Promise<string> {
    clock += 1000;
    const timestamp = new Date(clock).toISOString();
    const response = await gateway.post('/api/v1/webhook', {
      type: 'Connected',
      token,
      event: { Action: { name: '~' }, FromFullSync: false, Timestamp: timestamp },
    });
    expect(response.status).toBe(200);
    return timestamp;
  }

  async function createSession(sessionId: string): Promise<void> {
    // An ingested event creates the session's row
    await connected(sessionId);
  }

  async function addTarget(sessionId: string, body: Record<string, unknown>): Promise<Target> {
    const response = await gateway.post(`/sessions/${sessionId}/webhooks`, body);
    expect(response.status).toBe(201);
    return (await json<Target>(response)).data;
  }

  async function deliveries(sessionId: string, targetId: string, query = ''): Promise<Delivery[]> {
    const response = await gateway.request(
      `/sessions/${sessionId}/webhooks/${targetId}/deliveries${query}`,
    );
    expect(response.status).toBe(200);
    return (await json<Delivery[]>(response)).data;
  }

  const forTarget = (path: string) => (webhook: ReceivedWebhook) => webhook.path === path;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    globalReceiver = await WebhookReceiver.start();
    gateway = await startTestApp({
      ...FAST,
      WEBHOOK_URL: `${globalReceiver.url}/global`,
      WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      WEBHOOK_EVENTS: 'Connected,Disconnected',
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await receiver?.stop();
    await globalReceiver?.stop();
  });

  it('manages per-session targets: validated URL, secret shown once, changes applied at once', async () => {
    await createSession('crud-1');
    const invalid = await gateway.post('/sessions/crud-1/webhooks', { url: 'ftp://example.com/x' });
    expect(invalid.status).toBe(400);
    expect((await json(invalid)).errors).toEqual([
      { field: 'url', messages: ['url must be an http:// or https:// URL'] },
    ]);
    const badEvents = await gateway.post('/sessions/crud-1/webhooks', {
      url: 'https://example.com/hook',
      events: ['Nope'],
    });
    expect(badEvents.status).toBe(400);
    expect((await gateway.post('/sessions/nobody/webhooks', { url: 'https://e.com' })).status).toBe(
      404,
    );

    const created = await addTarget('crud-1', { url: `${receiver.url}/crud`, events: ['QR'] });
    expect(created).toMatchObject({
      sessionId: 'crud-1',
      url: `${receiver.url}/crud`,
      events: ['QR'],
      enabled: true,
      paused: false,
    });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

    const listed = await json<Target[]>(await gateway.request('/sessions/crud-1/webhooks'));
    expect(listed.data).toHaveLength(1);
    expect(listed.data[0]).not.toHaveProperty('secret');
    const one = await json<Target>(
      await gateway.request(`/sessions/crud-1/webhooks/${created.id}`),
    );
    expect(one.data).not.toHaveProperty('secret');
    expect(JSON.stringify(one)).not.toContain(created.secret);

    // Not subscribed to Connected: nothing queued
    await connected('crud-1');
    expect(await deliveries('crud-1', created.id)).toEqual([]);

    const patched = await gateway.request(`/sessions/crud-1/webhooks/${created.id}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ events: ['*'] }),
    });
    expect(patched.status).toBe(200);
    expect((await json<Target>(patched)).data.events).toEqual(['*']);
    const arrived = receiver.next(forTarget('/crud'));
    await connected('crud-1');
    expect((await arrived).body).toMatchObject({ type: 'Connected', token: 'crud-1' });

    const deleted = await gateway.request(`/sessions/crud-1/webhooks/${created.id}`, {
      method: 'DELETE',
    });
    expect(deleted.status).toBe(200);
    const gone = await gateway.request(`/sessions/crud-1/webhooks/${created.id}`);
    expect(gone.status).toBe(404);
    expect(await json(gone)).toEqual({ success: false, message: 'Webhook not found' });
  });

  it('signs every delivery the Standard Webhooks way (verified with the standardwebhooks package)', async () => {
    await createSession('signed-1');
    const target = await addTarget('signed-1', { url: `${receiver.url}/signed` });
    const arrived = receiver.next(forTarget('/signed'));
    const timestamp = await connected('signed-1');
    const webhook = await arrived;
    const verified = new Webhook(target.secret as string).verify(webhook.raw, {
      'webhook-id': webhook.headers['webhook-id'] as string,
      'webhook-timestamp': webhook.headers['webhook-timestamp'] as string,
      'webhook-signature': webhook.headers['webhook-signature'] as string,
    });
    expect(verified).toEqual({
      type: 'Connected',
      token: 'signed-1',
      event: { Timestamp: timestamp, JID: '', PhoneNumber: '', PushName: '' },
    });
    expect(webhook.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(() =>
      new Webhook('whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA').verify(webhook.raw, {
        'webhook-id': webhook.headers['webhook-id'] as string,
        'webhook-timestamp': webhook.headers['webhook-timestamp'] as string,
        'webhook-signature': webhook.headers['webhook-signature'] as string,
      }),
    ).toThrow();
  });

  it("never sends a session's events to another session's targets; the global target gets every session", async () => {
    await createSession('iso-a');
    await createSession('iso-b');
    await addTarget('iso-a', { url: `${receiver.url}/iso-a` });
    await addTarget('iso-b', { url: `${receiver.url}/iso-b` });
    const a = receiver.next(forTarget('/iso-a'));
    const globalA = globalReceiver.next((w) => w.body.token === 'iso-a');
    const globalB = globalReceiver.next((w) => w.body.token === 'iso-b');
    await connected('iso-a');
    await connected('iso-b');
    expect((await a).body.token).toBe('iso-a');
    await receiver.count(forTarget('/iso-b'), 1);
    await Promise.all([globalA, globalB]);
    expect(receiver.received.filter(forTarget('/iso-a')).map((w) => w.body.token)).toEqual([
      'iso-a',
    ]);
    expect(receiver.received.filter(forTarget('/iso-b')).map((w) => w.body.token)).toEqual([
      'iso-b',
    ]);
    const globalSigned = (await globalA).headers['webhook-signature'] as string;
    expect(globalSigned).toMatch(/^v1,/);
  });

  it('retries a receiver that fails with 500 until it recovers, counting the attempts', async () => {
    await createSession('retry-1');
    const target = await addTarget('retry-1', { url: `${receiver.url}/retry` });
    let failures = 2;
    receiver.answer = (request) => (request.path === '/retry' && failures-- > 0 ? 500 : 200);
    await connected('retry-1');
    const attempts = await receiver.count(forTarget('/retry'), 3);
    receiver.answer = () => 200;
    expect(attempts.map((w) => w.status)).toEqual([500, 500, 200]);
    expect(new Set(attempts.map((w) => w.headers['webhook-id'])).size).toBe(1);
    const [row] = await waitForDelivery('retry-1', target.id, (d) => d.status === 'delivered');
    expect(row).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 200 });
  });

  it('does not retry a 400: the delivery fails at once', async () => {
    await createSession('bad-1');
    const target = await addTarget('bad-1', { url: `${receiver.url}/bad` });
    receiver.answer = (request) => (request.path === '/bad' ? 400 : 200);
    await connected('bad-1');
    const [row] = await waitForDelivery('bad-1', target.id, (d) => d.status === 'failed');
    receiver.answer = () => 200;
    expect(row).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastStatusCode: 400,
      lastError: 'HTTP 400 (not retried)',
    });
    expect(receiver.received.filter(forTarget('/bad'))).toHaveLength(1);
  });

  it('times out a receiver that hangs and retries it', async () => {
    await createSession('hang-1');
    const target = await addTarget('hang-1', { url: `${receiver.url}/hang` });
    let hangs = 1;
    receiver.answer = (request) => (request.path === '/hang' && hangs-- > 0 ? 'hang' : 200);
    await connected('hang-1');
    const [row] = await waitForDelivery('hang-1', target.id, (d) => d.status === 'delivered');
    receiver.answer = () => 200;
    expect(row).toMatchObject({ status: 'delivered', attempts: 2, lastStatusCode: 200 });
    expect(receiver.received.filter(forTarget('/hang')).map((w) => w.status)).toEqual([0, 200]);
  });

  it('keeps the order of a session and target while an earlier delivery is retried', async () => {
    await createSession('order-1');
    await addTarget('order-1', { url: `${receiver.url}/order` });
    let failures = 3;
    receiver.answer = (request) => (request.path === '/order' && failures-- > 0 ? 503 : 200);
    const stamps = [
      await connected('order-1'),
      await connected('order-1'),
      await connected('order-1'),
    ];
    const all = await receiver.count(forTarget('/order'), 6);
    receiver.answer = () => 200;
    const delivered = all.filter((w) => w.status === 200);
    expect(delivered.map((w) => (w.body.event as { Timestamp: string }).Timestamp)).toEqual(stamps);
    // The first event was attempted 4 times before any later one was sent
    expect(
      all.slice(0, 4).every((w) => (w.body.event as { Timestamp: string }).Timestamp === stamps[0]),
    ).toBe(true);
  });

  it('replays a delivery with the same webhook-id', async () => {
    await createSession('replay-1');
    const target = await addTarget('replay-1', { url: `${receiver.url}/replay` });
    const first = receiver.next(forTarget('/replay'));
    await connected('replay-1');
    const original = await first;
    const [row] = await waitForDelivery('replay-1', target.id, (d) => d.status === 'delivered');
    const again = receiver.next(forTarget('/replay'));
    const replayed = await gateway.post(
      `/sessions/replay-1/webhooks/${target.id}/deliveries/${row.id}/replay`,
    );
    expect(replayed.status).toBe(200);
    expect((await json<Delivery>(replayed)).data).toMatchObject({ id: row.id, status: 'pending' });
    const second = await again;
    expect(second.headers['webhook-id']).toBe(original.headers['webhook-id']);
    expect(second.raw).toBe(original.raw);
    const missing = await gateway.post(
      `/sessions/replay-1/webhooks/${target.id}/deliveries/999999/replay`,
    );
    expect(missing.status).toBe(404);
  });

  it('pauses a target after repeated failures and resumes it over REST', async () => {
    await createSession('pause-1');
    const target = await addTarget('pause-1', { url: `${receiver.url}/pause` });
    receiver.answer = (request) => (request.path === '/pause' ? 500 : 200);
    await connected('pause-1');
    await connected('pause-1');
    // 6 failed attempts in a row (4 of the first event, 2 of the second) pause the target
    await receiver.count(forTarget('/pause'), 6);
    const paused = await waitFor(async () => {
      const view = (
        await json<Target>(await gateway.request(`/sessions/pause-1/webhooks/${target.id}`))
      ).data;
      return view.paused ? view : undefined;
    });
    expect(paused.pauseReason).toMatch(/^6 consecutive failed attempts; last: HTTP 500/);
    const pending = await deliveries('pause-1', target.id, '?status=pending');
    expect(pending).toHaveLength(1);

    receiver.answer = () => 200;
    const resumedDelivery = receiver.next((w) => w.path === '/pause' && w.status === 200);
    const resumed = await gateway.post(`/sessions/pause-1/webhooks/${target.id}/resume`);
    expect((await json<Target>(resumed)).data).toMatchObject({
      paused: false,
      consecutiveFailures: 0,
    });
    await resumedDelivery;
    await waitFor(async () =>
      (await deliveries('pause-1', target.id)).find((d) => d.status === 'delivered'),
    );
    const statuses = (await deliveries('pause-1', target.id)).map((d) => d.status);
    expect(statuses).toEqual(['delivered', 'failed']);
  });

  it('sends a test ping and reports the answer', async () => {
    await createSession('ping-1');
    const target = await addTarget('ping-1', { url: `${receiver.url}/ping` });
    const arrived = receiver.next(forTarget('/ping'));
    const response = await gateway.post(`/sessions/ping-1/webhooks/${target.id}/test`);
    expect(response.status).toBe(200);
    expect((await json(response)).data).toMatchObject({ ok: true, statusCode: 200, error: null });
    const ping = await arrived;
    expect(ping.body).toMatchObject({ type: 'Test', token: 'ping-1' });
    // The attempt is in the target's delivery log, with the webhook-id it was sent with
    expect(await deliveries('ping-1', target.id)).toEqual([
      expect.objectContaining({
        eventType: 'Test',
        status: 'delivered',
        attempts: 1,
        lastStatusCode: 200,
        webhookId: ping.headers['webhook-id'],
      }),
    ]);
  });

  it('reports delivery metrics', async () => {
    const text = await (await gateway.request('/metrics')).text();
    expect(text).toMatch(/webhook_deliveries_total\{outcome="delivered"\} \d+/);
    expect(text).toMatch(/webhook_deliveries_total\{outcome="failed"\} \d+/);
    expect(text).toMatch(/webhook_delivery_attempts_total\{result="5xx"\} \d+/);
    expect(text).toMatch(/webhook_delivery_duration_seconds_bucket/);
    expect(text).toMatch(/webhook_queue_depth \d+/);
    expect(text).toMatch(/webhook_queue_oldest_pending_age_seconds \d/);
  });

  async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) {
        return value;
      }
      if (Date.now() > deadline) {
        throw new Error('timed out waiting for a condition');
      }
      // Polling the REST API as a client would: there is no event for a row's status change
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  function waitForDelivery(
    sessionId: string,
    targetId: string,
    predicate: (delivery: Delivery) => boolean,
  ): Promise<Delivery[]> {
    return waitFor(async () => {
      const rows = await deliveries(sessionId, targetId);
      return rows.length > 0 && rows.every(predicate) ? rows : undefined;
    });
  }
});

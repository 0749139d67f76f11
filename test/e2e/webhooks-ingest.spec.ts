import { EventEmitter2 } from '@nestjs/event-emitter';
import { createHmac } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { DataSource } from 'typeorm';
import { WebhookRawEventEntity } from '../../src/webhooks/entities/webhook-raw-event.entity';
import {
  ChatPresenceEvent,
  MessageEvents,
  MessagesUpsertedEvent,
  MessageStatusEvent,
} from '../../src/whatsapp/message-events';
import { WhatsappSessionEntity } from '../../src/whatsapp/whatsapp-session.entity';
import { Listenable, nextEmitted } from '../support/next-emitted';
import { connectSocket, emitWithAck, nextEvent } from '../support/socket-client';
import { startTestApp, TestApp } from '../support/test-app';
import { testTier } from '../support/test-database';
import { WebhookReceiver } from '../support/webhook-receiver';

import { CHAT_PRESENCE, CONNECTED, MESSAGE, QR, READ_RECEIPT } from '../support/samples-003';

const INGEST_SECRET = 'ingest-secret-0123456789';

interface Body {
  success: boolean;
  message: string;
  data?: { type: string; token: string; result: string };
  error?: string;
}

describe(`webhook ingest of the 003 format (${testTier()})`, () => {
  let gateway: TestApp;
  let bus: EventEmitter2 & Listenable;

  beforeAll(async () => {
    gateway = await startTestApp({ WEBHOOK_INGEST_SECRET: INGEST_SECRET });
    bus = gateway.app.get<EventEmitter2 & Listenable>(EventEmitter2);
  });
  afterAll(async () => {
    await gateway?.close();
  });

  const sessions = () => gateway.app.get(DataSource).getRepository(WhatsappSessionEntity);
  const asJson = (body: unknown) => gateway.post('/api/v1/webhook', body);
  const asForm = (envelope: { token: string }, path = '/api/v1/webhook') =>
    gateway.request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        jsonData: JSON.stringify({ ...envelope, token: undefined }),
        token: envelope.token,
      }).toString(),
    });
  async function body(response: Response): Promise<Body> {
    return (await response.json()) as Body;
  }

  it('takes the 003 Message sample as JSON: publishes it as the engine message, creating the session row', async () => {
    const published = nextEmitted<MessagesUpsertedEvent>(
      bus,
      MessageEvents.Upserted,
      (event) => event.sessionId === 'genfitywa1',
      5000,
    );
    const response = await asJson(MESSAGE);
    expect(response.status).toBe(200);
    expect(await body(response)).toEqual({
      success: true,
      message: 'Event received',
      data: { type: 'Message', token: 'genfitywa1', result: 'stored' },
    });
    const event = await published;
    expect(event.source).toBe('ingest');
    expect(event.messages).toEqual([
      expect.objectContaining({
        id: '53829C3632356D0F08BFB6BDB41A706F',
        chatJid: '6281233784490@s.whatsapp.net',
        senderJid: '6289668176764@s.whatsapp.net',
        fromMe: true,
        pushName: 'Yoga',
        text: 'ya',
        timestamp: new Date('2025-08-14T07:55:01.000Z'),
        content: { conversation: 'ya' },
      }),
    ]);
    expect(await sessions().findOneBy({ sessionId: 'genfitywa1' })).toMatchObject({
      state: 'connected',
    });
  });

  it('acknowledges the same message again (form-encoded this time) without publishing it twice', async () => {
    let published = 0;
    const count = () => published++;
    bus.on(MessageEvents.Upserted, count);
    const response = await asForm(MESSAGE);
    bus.off(MessageEvents.Upserted, count);
    expect(response.status).toBe(200);
    expect((await body(response)).data).toEqual({
      type: 'Message',
      token: 'genfitywa1',
      result: 'duplicate',
    });
    expect(published).toBe(0);
  });

  it('takes a new message form-encoded (jsonData=...&token=...)', async () => {
    const published = nextEmitted<MessagesUpsertedEvent>(
      bus,
      MessageEvents.Upserted,
      (event) => event.sessionId === 'form-1',
      5000,
    );
    const response = await asForm({ ...MESSAGE, token: 'form-1' });
    expect((await body(response)).data).toEqual({
      type: 'Message',
      token: 'form-1',
      result: 'stored',
    });
    expect((await published).messages[0].id).toBe('53829C3632356D0F08BFB6BDB41A706F');
  });

  it('takes the ReadReceipt sample once, as a read status', async () => {
    const published = nextEmitted<MessageStatusEvent>(
      bus,
      MessageEvents.StatusUpdated,
      (event) => event.sessionId === 'genfitywa1',
      5000,
    );
    expect((await body(await asJson(READ_RECEIPT))).data?.result).toBe('stored');
    expect((await published).updates).toEqual([
      {
        sessionId: 'genfitywa1',
        messageId: '53829C3632356D0F08BFB6BDB41A706F',
        chatJid: '6281233784490@s.whatsapp.net',
        participantJid: '6281233784490:24@s.whatsapp.net',
        status: 'read',
        at: new Date('2025-08-14T07:55:54.000Z'),
      },
    ]);
    expect((await body(await asForm(READ_RECEIPT))).data?.result).toBe('duplicate');
  });

  it('takes the ChatPresence sample', async () => {
    const published = nextEmitted<ChatPresenceEvent>(
      bus,
      MessageEvents.Presence,
      (event) => event.presence.sessionId === 'genfitywa1',
      5000,
    );
    expect((await body(await asJson(CHAT_PRESENCE))).data?.result).toBe('stored');
    expect((await published).presence).toMatchObject({
      chatJid: '6281233784490@s.whatsapp.net',
      state: 'composing',
    });
  });

  it('stores the QR sample with a 60 s expiry and Connected in UTC; socket.io clients see both', async () => {
    const socket: Socket = await connectSocket(gateway.url, { auth: { token: gateway.apiKey } });
    try {
      await emitWithAck(socket, 'subscribe', { sessionId: 'qr-1' });
      const qrEvent = nextEvent<{ sessionId: string; qrCode: string }>(socket, 'qr_code');
      const before = Date.now();
      expect((await body(await asJson({ ...QR, token: 'qr-1' }))).data?.result).toBe('stored');
      const row = await sessions().findOneByOrFail({ sessionId: 'qr-1' });
      expect(row).toMatchObject({ state: 'qr_waiting', qrCode: QR.qrCodeBase64 });
      const ttl = (row.qrExpiresAt as Date).getTime() - before;
      expect(ttl).toBeGreaterThanOrEqual(59_000);
      expect(ttl).toBeLessThanOrEqual(61_000);
      expect(await qrEvent).toMatchObject({ sessionId: 'qr-1', qrCode: QR.qrCodeBase64 });

      const connectedEvent = nextEvent<{ sessionId: string }>(socket, 'session_connected');
      expect((await body(await asForm({ ...CONNECTED, token: 'qr-1' }))).data?.result).toBe(
        'stored',
      );
      expect(await sessions().findOneByOrFail({ sessionId: 'qr-1' })).toMatchObject({
        state: 'connected',
        qrCode: null,
        qrExpiresAt: null,
        connectedAt: new Date('2025-08-14T07:55:41.474Z'),
      });
      expect((await connectedEvent).sessionId).toBe('qr-1');
      expect((await body(await asJson({ ...CONNECTED, token: 'qr-1' }))).data?.result).toBe(
        'duplicate',
      );
    } finally {
      socket.close();
    }
  });

  it('stores Disconnected and LoggedOut as session states', async () => {
    await asJson({ type: 'Disconnected', token: 'state-1', event: {} });
    expect(await sessions().findOneByOrFail({ sessionId: 'state-1' })).toMatchObject({
      state: 'disconnected',
    });
    await asJson({ type: 'LoggedOut', token: 'state-1', event: { Reason: 'device removed' } });
    expect(await sessions().findOneByOrFail({ sessionId: 'state-1' })).toMatchObject({
      state: 'logged_out',
      disconnectReason: 'device removed',
    });
  });

  it('keeps unknown types raw and acknowledges them', async () => {
    const response = await asJson({
      type: 'HistorySync',
      token: 'raw-1',
      event: { Data: { x: 1 } },
    });
    expect((await body(response)).data).toEqual({
      type: 'HistorySync',
      token: 'raw-1',
      result: 'raw',
    });
    expect((await body(await asJson({ type: 'Foo', token: 'raw-1', event: 1 }))).data?.result).toBe(
      'raw',
    );
    const rows = await gateway.app
      .get(DataSource)
      .getRepository(WebhookRawEventEntity)
      .find({ where: { sessionId: 'raw-1' }, order: { id: 'ASC' } });
    expect(rows.map((row) => [row.eventType, JSON.parse(row.payload) as unknown])).toEqual([
      ['HistorySync', { type: 'HistorySync', token: 'raw-1', event: { Data: { x: 1 } } }],
      ['Foo', { type: 'Foo', token: 'raw-1', event: 1 }],
    ]);
  });

  it('answers malformed events with a 400 that says why, writing nothing', async () => {
    const cases: [unknown, string][] = [
      [{ token: 'bad-1', event: {} }, 'type must be an event type such as "Message"'],
      [
        { type: 'Message', token: 'bad token!', event: {} },
        'token must be the session id: 1-100 characters from A-Z, a-z, 0-9, "_", "." and "-"',
      ],
      [{ type: 'Message', token: 'bad-1', event: {} }, 'event.Info must be an object'],
      [
        { ...READ_RECEIPT, token: 'bad-1', event: { ...READ_RECEIPT.event, Timestamp: 'x' } },
        'event.Timestamp must be an ISO 8601 date-time with an offset, e.g. 2025-08-14T14:55:01+07:00',
      ],
    ];
    for (const [event, error] of cases) {
      const response = await asJson(event);
      expect(response.status).toBe(400);
      expect(await body(response)).toEqual({
        success: false,
        message: 'Malformed webhook event',
        error,
      });
    }
    const broken = await gateway.request('/api/v1/webhook', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'jsonData=%7Bnot-json&token=bad-1',
    });
    expect(broken.status).toBe(400);
    expect((await body(broken)).error).toMatch(/^jsonData is not valid JSON/);
    expect(await sessions().findOneBy({ sessionId: 'bad-1' })).toBeNull();
  });

  describe('auth', () => {
    const raw = JSON.stringify({ ...MESSAGE, token: 'auth-1' });
    const send = (path: string, headers: Record<string, string>) =>
      fetch(`${gateway.url}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: raw,
      });

    it('refuses a request with no key, a wrong key or a wrong signature', async () => {
      const none = await send('/api/v1/webhook', {});
      expect(none.status).toBe(401);
      expect(await body(none)).toEqual({ success: false, message: 'Invalid API key' });
      expect((await send('/api/v1/webhook?api_key=wrong', {})).status).toBe(401);
      const forged = await send('/api/v1/webhook', {
        'x-hmac-signature': createHmac('sha256', 'not-the-secret').update(raw).digest('hex'),
      });
      expect(forged.status).toBe(401);
      expect((await body(forged)).error).toBe('x-hmac-signature does not match the body');
    });

    it('accepts the key as ?api_key= and a valid x-hmac-signature of the raw body', async () => {
      expect((await send(`/api/v1/webhook?api_key=${gateway.apiKey}`, {})).status).toBe(200);
      const signed = await send('/api/v1/webhook', {
        'x-hmac-signature': createHmac('sha256', INGEST_SECRET).update(raw).digest('hex'),
      });
      expect(signed.status).toBe(200);
      expect((await body(signed)).data?.result).toBe('duplicate');
    });
  });

  it('answers like every other route: request id, rate-limit headers, 429 past the ingest limit, duration metric', async () => {
    const limited = await startTestApp({ RATE_LIMIT_INGEST_PER_MINUTE: '2' });
    try {
      const post = (headers: Record<string, string> = {}) =>
        limited.request('/api/v1/webhook', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...headers },
          body: JSON.stringify({ ...MESSAGE, token: 'limit-1' }),
        });
      const first = await post({ 'X-Request-Id': 'engine-req-1' });
      expect(first.status).toBe(200);
      expect(first.headers.get('x-request-id')).toBe('engine-req-1');
      expect(first.headers.get('ratelimit-limit')).toBe('2');
      expect(first.headers.get('ratelimit-remaining')).toBe('1');
      // the limit counts requests before their key is checked (per client IP)
      const refused = await fetch(`${limited.url}/api/v1/webhook`, { method: 'POST' });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('ratelimit-remaining')).toBe('0');
      expect(refused.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const over = await post();
      expect(over.status).toBe(429);
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await over.json()).toEqual({
        success: false,
        message: 'Too many requests',
        error: expect.stringMatching(/^rate limit reached: retry in \d+ s$/) as string,
      });
      const metrics = await (await limited.request('/metrics')).text();
      for (const status of ['200', '401', '429']) {
        expect(metrics).toMatch(
          new RegExp(
            `http_request_duration_seconds_count\\{method="POST",route="/api/v1/webhook",status_code="${status}"\\} 1\n`,
          ),
        );
      }
    } finally {
      await limited.close();
    }
  });

  it('reports an ingested session event to outbound webhooks as a 003 envelope', async () => {
    const receiver = await WebhookReceiver.start();
    try {
      await asJson({ ...CONNECTED, token: 'out-1' });
      const created = await gateway.post('/sessions/out-1/webhooks', { url: `${receiver.url}/qr` });
      expect(created.status).toBe(201);
      const arrived = receiver.next();
      await asJson({ ...QR, token: 'out-1' });
      expect((await arrived).body).toEqual({
        type: 'QR',
        token: 'out-1',
        event: 'code',
        qrCodeBase64: QR.qrCodeBase64,
        expiresAt: expect.any(String) as string,
      });
    } finally {
      await receiver.stop();
    }
  });
});

import { startTestApp, TestApp } from '../support/test-app';
import { testTier } from '../support/test-database';
import { MESSAGE } from '../support/samples-003';
import { WebhookReceiver } from '../support/webhook-receiver';

/**
 * One pipeline for both sources (CONTRACT §7): 003 events ingested from an engine land in the
 * message store exactly like native ones, and go out to the session's webhook targets as 003
 * envelopes, so a receiver written for 003 works unchanged.
 */

describe(`003 ingest through the message store to outbound webhooks (${testTier()})`, () => {
  let gateway: TestApp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    gateway = await startTestApp({ WEBHOOK_RETRY_BASE_DELAY_MS: '50' });
  });
  afterAll(async () => {
    await gateway?.close();
    await receiver?.stop();
  });

  it('stores an ingested 003 Message like a native one and delivers it as a 003 envelope, once', async () => {
    // The first event creates the session; then a target subscribes to its messages
    const created = await gateway.post('/api/v1/webhook', {
      type: 'Connected',
      token: 'genfitywa1',
      event: { Timestamp: '2025-08-14T14:55:41.474+07:00' },
    });
    expect(created.status).toBe(200);
    const target = await gateway.post('/sessions/genfitywa1/webhooks', {
      url: `${receiver.url}/hook`,
      events: ['Message'],
    });
    expect(target.status).toBe(201);

    const message = receiver.next((webhook) => webhook.body.type === 'Message');
    expect((await gateway.post('/api/v1/webhook', MESSAGE)).status).toBe(200);
    const delivered = await message;
    expect(delivered.body).toMatchObject({
      type: 'Message',
      token: 'genfitywa1',
      event: {
        Info: { ID: '53829C3632356D0F08BFB6BDB41A706F', IsFromMe: true, PushName: 'Yoga' },
        Message: { conversation: 'ya' },
      },
    });
    expect(delivered.headers['webhook-id']).toEqual(expect.any(String));

    const stored = (await (
      await gateway.request('/api/v1/messages?user_token=genfitywa1')
    ).json()) as { data: Record<string, unknown>[] };
    expect(stored.data).toEqual([
      expect.objectContaining({
        message_id: '53829C3632356D0F08BFB6BDB41A706F',
        user_token: 'genfitywa1',
        chat_jid: '6281233784490@s.whatsapp.net',
        is_from_me: true,
        status: 'sent',
        push_name: 'Yoga',
        // 14:55:01+07:00 stored in UTC
        timestamp: '2025-08-14T07:55:01.000Z',
      }),
    ]);

    // The same event again changes nothing and sends nothing more
    const before = receiver.received.length;
    expect((await gateway.post('/api/v1/webhook', MESSAGE)).status).toBe(200);
    const again = (await (
      await gateway.request('/api/v1/messages?user_token=genfitywa1')
    ).json()) as { data: unknown[] };
    expect(again.data).toHaveLength(1);
    expect(receiver.received.filter((webhook) => webhook.body.type === 'Message')).toHaveLength(1);
    expect(receiver.received.length).toBe(before);
  });
});

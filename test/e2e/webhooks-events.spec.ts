import type { SimAccount, WaSimulator } from '../wa-sim';
import { startGateway, startSimulator } from '../support/gateway-with-sim';
import { json, linkSession } from '../support/messaging-harness';
import { CHAT_PRESENCE, CONNECTED, MESSAGE, READ_RECEIPT } from '../support/samples-003';
import type { TestApp } from '../support/test-app';
import { testTier } from '../support/test-database';
import { ReceivedWebhook, WebhookReceiver } from '../support/webhook-receiver';

/**
 * Outbound webhooks for the event types other than `Message`, each caused through a real path:
 * receipts and typing from the simulated phone (Baileys) and from 003 ingest, a real grab, and
 * a send that cannot go out within SEND_TIMEOUT_MS. Every one reaches a receiver in 003's shape.
 */

const SESSION = 'wh-events-1';
const SEND_TIMEOUT_MS = 3000;
const ENV = {
  WEBHOOK_POLL_INTERVAL_MS: '50',
  WEBHOOK_RETRY_BASE_DELAY_MS: '50',
  SEND_TIMEOUT_MS: String(SEND_TIMEOUT_MS),
  // a second send waits its turn long enough for the phone to go away
  SEND_MIN_INTERVAL_MS: '1000',
  SEND_JITTER_MS: '0',
};
const EVENTS = ['ReadReceipt', 'ChatPresence', 'GrabCompleted', 'MessageFailed'];

describe(`outbound ReadReceipt, ChatPresence, GrabCompleted and MessageFailed (${testTier()})`, () => {
  let sim: WaSimulator;
  let untrust: () => void;
  let gateway: TestApp;
  let receiver: WebhookReceiver;
  let account: SimAccount;
  let contact: { pn: string; jid: string };

  const of =
    (type: string, token: string, predicate: (event: Record<string, unknown>) => boolean) =>
    (webhook: ReceivedWebhook) =>
      webhook.body.type === type &&
      webhook.body.token === token &&
      predicate(webhook.body.event as Record<string, unknown>);

  async function subscribe(sessionId: string, path: string): Promise<void> {
    const response = await gateway.post(`/sessions/${sessionId}/webhooks`, {
      url: `${receiver.url}${path}`,
      events: EVENTS,
    });
    expect(response.status).toBe(201);
  }

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    ({ sim, untrust } = await startSimulator());
    gateway = await startGateway(sim, ENV);
    ({ account } = await linkSession(gateway, sim, SESSION, { contacts: 3, groups: 2 }));
    contact = account.contacts[0];
    await subscribe(SESSION, '/native');
  }, 60_000);
  afterAll(async () => {
    await gateway?.close();
    await sim?.stop();
    untrust?.();
    await receiver?.stop();
  });

  it('reports the receipts of a sent message as 003 ReadReceipt events', async () => {
    const sent = await gateway.post(`/sessions/${SESSION}/messages`, {
      to: contact.pn,
      message: 'receipts, please',
    });
    expect(sent.status).toBe(201);
    const { messageId } = (await json<{ messageId: string }>(sent)).data;
    const ids = (event: Record<string, unknown>) =>
      JSON.stringify(event.MessageIDs) === JSON.stringify([messageId]);
    // the simulated contact sends a delivery receipt, then a read receipt
    const [delivered] = await receiver.count(
      of('ReadReceipt', SESSION, (event) => ids(event) && event.Type === ''),
      1,
    );
    const [read] = await receiver.count(
      of('ReadReceipt', SESSION, (event) => ids(event) && event.Type === 'read'),
      1,
    );
    expect(delivered.body).toMatchObject({ state: 'Delivered', event: { Chat: contact.jid } });
    expect(read.body).toMatchObject({
      type: 'ReadReceipt',
      token: SESSION,
      state: 'Read',
      event: { Chat: contact.jid, MessageIDs: [messageId], Type: 'read' },
    });
    expect(Date.parse((read.body.event as { Timestamp: string }).Timestamp)).not.toBeNaN();
  });

  it('reports typing in a chat as a 003 ChatPresence event', async () => {
    const typing = receiver.next(
      of('ChatPresence', SESSION, (event) => event.Sender === contact.jid),
    );
    account.sendPresence(contact.pn, 'composing');
    expect((await typing).body).toEqual({
      type: 'ChatPresence',
      token: SESSION,
      event: { Chat: contact.jid, Sender: contact.jid, State: 'composing', Media: '' },
    });
    const recording = receiver.next(
      of('ChatPresence', SESSION, (event) => event.Sender === contact.jid),
    );
    account.sendPresence(contact.pn, 'recording');
    expect((await recording).body.event).toMatchObject({ State: 'composing', Media: 'audio' });
  });

  it('reports a finished grab as GrabCompleted with its counts', async () => {
    const completed = receiver.next(
      of('GrabCompleted', SESSION, () => true),
      30_000,
    );
    const grab = await gateway.request(`/api/sessions/${SESSION}/grab-groups`);
    expect(grab.status).toBe(200);
    const answer = (await json<{ saved_count: number; updated_count: number }>(grab)).data;
    expect(answer.saved_count).toBeGreaterThan(0);
    // the webhook reports what the grab answered
    expect((await completed).body).toMatchObject({
      type: 'GrabCompleted',
      token: SESSION,
      event: {
        Scope: 'groups',
        TotalGroups: 2,
        SavedCount: answer.saved_count,
        UpdatedCount: answer.updated_count,
      },
    });
    const { Timestamp } = (await completed).body.event as { Timestamp: string };
    expect(Date.parse(Timestamp)).not.toBeNaN();
  });

  it('reports a send that cannot go out within SEND_TIMEOUT_MS as MessageFailed', async () => {
    const failed = receiver.next(
      of('MessageFailed', SESSION, () => true),
      20_000,
    );
    const send = (message: string) =>
      gateway.post(`/sessions/${SESSION}/messages`, { to: contact.pn, message });
    const first = send('paced 0');
    const late = send('paced 1');
    // the first reaches the phone (the second was queued with it, a pacing interval behind)...
    await account.waitForMessage((message) => message.text === 'paced 0');
    // ...which goes away at once (not after our HTTP answer, which may come late on a loaded
    // machine) and stays unreachable past the second's deadline
    account.refuseConnections(SEND_TIMEOUT_MS + 5000);
    account.drop();
    expect((await first).status).toBe(201);
    expect((await late).status).toBe(504);
    const delivered = await failed;
    expect(delivered.body).toMatchObject({
      type: 'MessageFailed',
      token: SESSION,
      event: {
        MessageID: expect.any(String),
        Chat: contact.jid,
        Reason: `not sent within ${SEND_TIMEOUT_MS} ms`,
      },
    });
    expect(delivered.headers['webhook-id']).toEqual(expect.any(String));
  });

  it('reports 003-ingested receipts and typing to the targets in the same shape as 003', async () => {
    expect((await gateway.post('/api/v1/webhook', CONNECTED)).status).toBe(200);
    await subscribe('genfitywa1', '/ingested');
    expect((await gateway.post('/api/v1/webhook', MESSAGE)).status).toBe(200);

    const receipt = receiver.next(of('ReadReceipt', 'genfitywa1', () => true));
    expect((await gateway.post('/api/v1/webhook', READ_RECEIPT)).status).toBe(200);
    const { body } = await receipt;
    expect(body).toMatchObject({ type: 'ReadReceipt', token: 'genfitywa1', state: 'Read' });
    expect(body.event).toEqual({
      ...READ_RECEIPT.event,
      // 14:55:54+07:00, in UTC
      Timestamp: '2025-08-14T07:55:54.000Z',
    });

    const typing = receiver.next(of('ChatPresence', 'genfitywa1', () => true));
    expect((await gateway.post('/api/v1/webhook', CHAT_PRESENCE)).status).toBe(200);
    expect((await typing).body).toMatchObject(CHAT_PRESENCE);
    // the native session's target never got the ingested session's events
    expect(
      receiver.received.filter((w) => w.path === '/native' && w.body.token !== SESSION),
    ).toEqual([]);
  });
});

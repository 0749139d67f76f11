import type { WaSimulator } from '../wa-sim';
import { nextSessionEvent, startGateway, startSimulator } from '../support/gateway-with-sim';
import { json, linkSession } from '../support/messaging-harness';
import { WebhookReceiver } from '../support/webhook-receiver';
import { OpenApiDocument, privateRoutes, requestFor, Route } from '../support/openapi-walk';
import type { TestApp } from '../support/test-app';
import { testTier } from '../support/test-database';
import { SessionEvents, SessionQrEvent } from '../../src/whatsapp/session-events';

/**
 * Every private route of the served OpenAPI document, walked from the document itself: no key
 * and a wrong key are 401; a key scoped to another session gets 404 (the same as a missing
 * session, see README) on session routes and sees nothing of this session elsewhere; a key
 * scoped to this session answers 2xx. The example inputs come from the document too, except
 * the ids only this run knows (a webhook, a delivery, a stored message, a contact's number),
 * and the QR and pairing routes, which go to a session still waiting for its QR.
 */
describe(`access to every documented route (${testTier()})`, () => {
  let sim: WaSimulator;
  let untrust: () => void;
  let gateway: TestApp;
  let document: OpenApiDocument;
  let mine: string;
  let other: string;
  let everyone: string;

  let receiver: WebhookReceiver;
  /** Values only this run knows, by parameter or body field name */
  let known: Record<string, unknown>;

  beforeAll(async () => {
    ({ sim, untrust } = await startSimulator());
    receiver = await WebhookReceiver.start();
    gateway = await startGateway(sim, { SEND_MIN_INTERVAL_MS: '0', SEND_JITTER_MS: '0' });
    const { account } = await linkSession(gateway, sim, 'walk-1', { contacts: 3 });
    const contact = account.contacts[0];
    const qr = nextSessionEvent<SessionQrEvent>(gateway, SessionEvents.Qr, 'walk-qr');
    await gateway.post('/sessions', { sessionId: 'walk-qr' });
    await qr;
    await gateway.post('/sessions', { sessionId: 'walk-2' });
    document = (await (await fetch(`${gateway.url}/docs-json`)).json()) as OpenApiDocument;
    const key = async (sessions: string[]) => {
      const response = await gateway.post('/api-keys', {
        name: `walk ${sessions.join(',')}`,
        sessions,
        permissions: ['read', 'send', 'manage', 'admin'],
      });
      return ((await response.json()) as { data: { key: string } }).data.key;
    };
    mine = await key(['walk-1', 'walk-qr']);
    other = await key(['walk-2']);
    everyone = await key(['*']);
    // A target that receives everything, a message it is told about, and that delivery
    const target = await json<{ id: string }>(
      await gateway.post('/sessions/walk-1/webhooks', { url: receiver.url, events: ['*'] }),
    );
    const delivered = receiver.next((webhook) => webhook.body.type === 'Message');
    const sent = await json<{ messageId: string }>(
      await gateway.post('/sessions/walk-1/messages', { to: contact.pn, message: 'walk' }),
    );
    await delivered;
    // an inbound image, for the media download route
    const image = await account.sendMedia(contact.pn, {
      type: 'image',
      data: Buffer.from('not really a picture'),
      mimetype: 'image/png',
    });
    await receiver.next((webhook) => JSON.stringify(webhook.body).includes(image.id));
    const [imageRow] = (
      await json<{ id: number }[]>(await gateway.request(`/api/v1/messages?message_id=${image.id}`))
    ).data;
    const deliveries = await json<{ id: string }[]>(
      await gateway.request(`/sessions/walk-1/webhooks/${target.data.id}/deliveries`),
    );
    known = {
      webhookId: target.data.id,
      deliveryId: deliveries.data[0].id,
      messageId: sent.data.messageId,
      phone: contact.pn,
      to: contact.pn,
      url: receiver.url,
      rowId: imageRow.id,
    };
  });

  /** The session a route is called on with the right scope, and the values it is given. */
  function inputsFor(route: Route): { sessionId: string; values: Record<string, unknown> } {
    if (/\/(qr|pairing-code)$/.test(route.path)) {
      return { sessionId: 'walk-qr', values: {} };
    }
    if (route.method === 'POST' && route.path === '/sessions') {
      return { sessionId: 'walk-new', values: {} };
    }
    if (route.path === '/sessions/{id}/messages' && route.method === 'POST') {
      return { sessionId: 'walk-1', values: { to: known.to, media: undefined } };
    }
    const values = { ...known };
    if (route.path !== '/sessions/{id}/read') {
      delete values.messageId;
    }
    return { sessionId: 'walk-1', values };
  }
  afterAll(async () => {
    await gateway?.close();
    await receiver?.stop();
    await sim?.stop();
    untrust?.();
  });

  /** Routes that end the session (or revoke a key) run last, so the others still have them. */
  function ordered(routes: Route[]): Route[] {
    const weight = (route: Route): number =>
      route.method === 'DELETE' && route.path === '/sessions/{id}'
        ? 4
        : route.method === 'DELETE'
          ? 3
          : /\/(logout)$/.test(route.path)
            ? 2
            : /\/(stop|restart|pairing-code)$/.test(route.path)
              ? 1
              : 0;
    return [...routes].sort((a, b) => weight(a) - weight(b));
  }

  async function call(
    route: Route,
    key: string | undefined,
    sessionId = 'walk-1',
    values: Record<string, unknown> = {},
  ) {
    const { url, init } = requestFor(document, route, sessionId, values);
    const headers = { ...(init.headers as Record<string, string>) };
    if (key !== undefined) {
      headers.Authorization = `Bearer ${key}`;
    }
    const response = await fetch(`${gateway.url}${url}`, { ...init, headers });
    const text = await response.text();
    return { status: response.status, text };
  }

  it('holds on every route: 401 without or with a wrong key, scope enforced, the right scope answers 2xx', async () => {
    const routes = ordered(privateRoutes(document));
    expect(routes.length).toBeGreaterThan(20);
    const failures: string[] = [];
    let answered2xx = 0;
    for (const route of routes) {
      const name = `${route.method} ${route.path}`;
      for (const key of [undefined, 'wrong-key-0123456789abcdef']) {
        const { status, text } = await call(route, key);
        if (status !== 401 || !text.includes('Invalid API key')) {
          failures.push(
            `${name} with ${key ? 'a wrong' : 'no'} key: ${status} ${text.slice(0, 120)}`,
          );
        }
      }
      const foreign = await call(route, other);
      if (route.sessionParam) {
        if (foreign.status !== 404 || !foreign.text.includes('Session not found')) {
          failures.push(
            `${name} with another session's key: ${foreign.status} ${foreign.text.slice(0, 120)}`,
          );
        }
      } else if (foreign.status < 400 && foreign.text.includes('walk-1')) {
        failures.push(`${name} shows walk-1 to a key scoped to walk-2`);
      }
      // The right scope: this session's key, or a key for every session on routes of no session
      const { sessionId, values } = inputsFor(route);
      const allowed = await call(route, route.sessionParam ? mine : everyone, sessionId, values);
      if (allowed.status < 200 || allowed.status >= 300) {
        failures.push(
          `${name} with the right scope: ${allowed.status} ${allowed.text.slice(0, 160)}`,
        );
      } else {
        answered2xx += 1;
      }
    }
    const holding = routes.length - new Set(failures.map((f) => f.split(' with')[0])).size;
    process.stdout.write(
      `route access (${testTier()}): ${holding}/${routes.length} routes hold ` +
        `(401 without and with a wrong key, 404 or nothing shown to another session's key); ` +
        `${answered2xx}/${routes.length} answered 2xx with the right scope\n`,
    );
    expect(failures).toEqual([]);
  });
});

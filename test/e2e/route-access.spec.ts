import type { WaSimulator } from '../wa-sim';
import { nextSessionEvent, startGateway, startSimulator } from '../support/gateway-with-sim';
import { json, linkSession } from '../support/messaging-harness';
import { WebhookReceiver } from '../support/webhook-receiver';
import { OpenApiDocument, privateRoutes, requestFor, Route } from '../support/openapi-walk';
import type { TestApp } from '../support/test-app';
import { testTier } from '../support/test-database';
import { SessionEvents, SessionQrEvent } from '../../src/whatsapp/session-events';
import { auditActionOf } from '../../src/access/audit.interceptor';
import { PERMISSIONS, Permission } from '../../src/access/permissions';

/**
 * Every private route of the served OpenAPI document, walked from the document itself: no key
 * and a wrong key are 401; a key scoped to another session gets 404 (the same as a missing
 * session, see README) on session routes and sees nothing of this session elsewhere; a key
 * scoped to this session answers 2xx. The example inputs come from the document too, except
 * the ids only this run knows (a webhook, a delivery, a stored message, a contact's number,
 * campaigns and contact lists),
 * and the QR and pairing routes, which go to a session still waiting for its QR.
 *
 * Each route's documented permission (`x-permission`) is enforced: a key in scope with every
 * other permission gets 403. Every audited route leaves a `success` row and a `denied` row.
 */
describe(`access to every documented route (${testTier()})`, () => {
  let sim: WaSimulator;
  let untrust: () => void;
  let gateway: TestApp;
  let document: OpenApiDocument;
  let mine: string;
  let other: string;
  let everyone: string;
  /** Keys that have every permission but one, in scope (this session's, or every session) */
  const lacking: Record<string, { mine: string; everyone: string }> = {};

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
    const key = async (sessions: string[], permissions: readonly Permission[] = PERMISSIONS) => {
      const response = await gateway.post('/api-keys', {
        name: `walk ${sessions.join(',')} ${permissions.join(',')}`,
        sessions,
        permissions,
      });
      return ((await response.json()) as { data: { key: string } }).data.key;
    };
    mine = await key(['walk-1', 'walk-qr']);
    other = await key(['walk-2']);
    everyone = await key(['*']);
    for (const permission of PERMISSIONS) {
      const others = PERMISSIONS.filter((p) => p !== permission && p !== 'admin');
      lacking[permission] = {
        mine: await key(['walk-1', 'walk-qr'], others),
        everyone: await key(['*'], others),
      };
    }
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
    // campaigns that wait for their start: one to pause and resume, one to cancel
    const campaign = async () =>
      (
        await json<{ id: string }>(
          await gateway.post('/sessions/walk-1/campaigns', {
            name: 'walk',
            message: 'walk',
            recipients: [{ to: contact.pn }],
            scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
          }),
        )
      ).data.id;
    const [cid, cancelCid] = [await campaign(), await campaign()];
    // saved contact lists: one to read and change (and to send a campaign to), one to delete
    const list = async (name: string) =>
      (
        await json<{ id: string }>(
          await gateway.post('/sessions/walk-1/contact-lists', { name, members: [contact.pn] }),
        )
      ).data.id;
    const [listId, deleteListId] = [await list('walk list'), await list('walk list to delete')];
    known = {
      cid,
      cancelCid,
      listId,
      deleteListId,
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
    if (route.path.endsWith('/cancel')) {
      values.cid = known.cancelCid;
    }
    if (route.method === 'DELETE' && route.path.endsWith('/{listId}')) {
      values.listId = known.deleteListId;
    }
    delete values.cancelCid;
    delete values.deleteListId;
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
    return { status: response.status, text, url };
  }

  /** The audit action the gateway derives for a call of this route (null: not audited). */
  function auditedAs(route: Route, url: string): string | null {
    const query = Object.fromEntries(new URL(url, gateway.url).searchParams);
    const expressPath = route.path.replace(/\{(\w+)\}/g, ':$1');
    return auditActionOf(route.method, expressPath, query, route.permission as Permission);
  }

  async function auditRows(action: string, outcome: string): Promise<number> {
    const query = new URLSearchParams({ action, outcome, per_page: '1' });
    const page = await json<unknown[]>(await gateway.request(`/audit?${query.toString()}`));
    return (page.meta as { total: number }).total;
  }

  it('holds on every route: 401 without or with a wrong key, scope enforced, the right scope answers 2xx', async () => {
    const routes = ordered(privateRoutes(document));
    expect(routes.length).toBeGreaterThan(20);
    const failures: string[] = [];
    let answered2xx = 0;
    let permissionHeld = 0;
    const audited = new Map<string, string>();
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
      // ... but every permission except the one the route documents
      const permission = route.permission as Permission | undefined;
      if (!permission || !PERMISSIONS.includes(permission)) {
        failures.push(`${name} states no permission (x-permission: ${String(permission)})`);
      } else {
        const keys = lacking[permission];
        const refused = await call(
          route,
          route.sessionParam ? keys.mine : keys.everyone,
          sessionId,
          values,
        );
        if (refused.status !== 403 || !refused.text.includes('Forbidden')) {
          failures.push(
            `${name} without "${permission}": ${refused.status} ${refused.text.slice(0, 120)}`,
          );
        } else {
          permissionHeld += 1;
        }
      }
      const allowed = await call(route, route.sessionParam ? mine : everyone, sessionId, values);
      const action = auditedAs(route, allowed.url);
      if (action) {
        audited.set(action, name);
      }
      if (allowed.status < 200 || allowed.status >= 300) {
        failures.push(
          `${name} with the right scope: ${allowed.status} ${allowed.text.slice(0, 160)}`,
        );
      } else {
        answered2xx += 1;
      }
    }
    // Every audited route left a row for the allowed call and one for the refused call
    let auditedHeld = 0;
    for (const [action, name] of audited) {
      const [succeeded, denied] = [
        await auditRows(action, 'success'),
        await auditRows(action, 'denied'),
      ];
      if (succeeded === 0 || denied === 0) {
        failures.push(`${name} audited as ${action}: ${succeeded} success, ${denied} denied rows`);
      } else {
        auditedHeld += 1;
      }
    }
    const holding =
      routes.length -
      new Set(failures.map((f) => f.split(/ (with|without|states|audited)/)[0])).size;
    process.stdout.write(
      `route access (${testTier()}): ${holding}/${routes.length} routes hold ` +
        `(401 without and with a wrong key, 404 or nothing shown to another session's key); ` +
        `${permissionHeld}/${routes.length} refused with 403 without their x-permission; ` +
        `${answered2xx}/${routes.length} answered 2xx with the right scope; ` +
        `${auditedHeld}/${audited.size} audited actions wrote a success and a denied row\n`,
    );
    expect(audited.size).toBeGreaterThan(10);
    expect(failures).toEqual([]);
  });
});

import type { WaSimulator } from '../wa-sim';
import { startGateway, startSimulator } from '../support/gateway-with-sim';
import { nextSessionEvent } from '../support/gateway-with-sim';
import { OpenApiDocument, privateRoutes, requestFor, Route } from '../support/openapi-walk';
import type { TestApp } from '../support/test-app';
import { testTier } from '../support/test-database';
import { SessionEvents, SessionQrEvent } from '../../src/whatsapp/session-events';

/**
 * Every private route of the served OpenAPI document, walked from the document itself: no key
 * and a wrong key are 401; a key scoped to another session gets 404 (the same as a missing
 * session, see README) on session routes and sees nothing of this session elsewhere; a key
 * scoped to this session gets past access control.
 */
describe(`access to every documented route (${testTier()})`, () => {
  let sim: WaSimulator;
  let untrust: () => void;
  let gateway: TestApp;
  let document: OpenApiDocument;
  let mine: string;
  let other: string;
  let everyone: string;

  beforeAll(async () => {
    ({ sim, untrust } = await startSimulator());
    gateway = await startGateway(sim);
    const qr = nextSessionEvent<SessionQrEvent>(gateway, SessionEvents.Qr, 'walk-1');
    await gateway.post('/sessions', { sessionId: 'walk-1' });
    const connected = nextSessionEvent(gateway, SessionEvents.Connected, 'walk-1');
    await sim.scan((await qr).qr, { name: 'Walker' });
    await connected;
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
    mine = await key(['walk-1']);
    other = await key(['walk-2']);
    everyone = await key(['*']);
  });
  afterAll(async () => {
    await gateway?.close();
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
            : /\/(stop|restart)$/.test(route.path)
              ? 1
              : 0;
    return [...routes].sort((a, b) => weight(a) - weight(b));
  }

  async function call(route: Route, key: string | undefined, sessionId = 'walk-1') {
    const { url, init } = requestFor(document, route, sessionId);
    const headers = { ...(init.headers as Record<string, string>) };
    if (key !== undefined) {
      headers.Authorization = `Bearer ${key}`;
    }
    const response = await fetch(`${gateway.url}${url}`, { ...init, headers });
    const text = await response.text();
    return { status: response.status, text };
  }

  it('holds on every route: 401 without or with a wrong key, scope enforced, the right scope passes', async () => {
    const routes = ordered(privateRoutes(document));
    expect(routes.length).toBeGreaterThan(20);
    const failures: string[] = [];
    let passedAccess = 0;
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
      const allowed = await call(route, route.sessionParam ? mine : everyone);
      if (
        allowed.status === 401 ||
        allowed.status === 403 ||
        allowed.status >= 500 ||
        allowed.text.includes('Session not found')
      ) {
        failures.push(
          `${name} with the right scope: ${allowed.status} ${allowed.text.slice(0, 120)}`,
        );
      } else {
        passedAccess += 1;
        answered2xx += allowed.status < 300 ? 1 : 0;
      }
    }
    process.stdout.write(
      `route access (${testTier()}): ${routes.length - new Set(failures.map((f) => f.split(' with')[0])).size}/${routes.length} routes hold; ` +
        `right scope passed access control on ${passedAccess}/${routes.length} (${answered2xx} answered 2xx, the rest a documented 4xx for the example input)\n`,
    );
    expect(failures).toEqual([]);
  });
});

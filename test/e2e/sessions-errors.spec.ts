import type { WaSimulator } from '../wa-sim';
import { SessionEvents, SessionQrEvent } from '../../src/whatsapp/session-events';
import { nextSessionEvent, startGateway, startSimulator } from '../support/gateway-with-sim';
import type { TestApp } from '../support/test-app';
import { testTier } from '../support/test-database';

describe(`session errors and bad input (${testTier()})`, () => {
  let sim: WaSimulator;
  let untrust: () => void;
  let gateway: TestApp;

  beforeAll(async () => {
    ({ sim, untrust } = await startSimulator());
    gateway = await startGateway(sim);
  });
  afterAll(async () => {
    await gateway?.close();
    await sim?.stop();
    untrust?.();
  });

  const post = (path: string, body?: unknown, raw?: string) =>
    gateway.request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });

  it('rejects a malformed session id in the path with 400', async () => {
    for (const id of ['bad%20id', 'x'.repeat(101), 'semi%3Bcolon', '%F0%9F%98%80']) {
      const response = await gateway.request(`/sessions/${id}/status`);
      expect({ id, status: response.status }).toEqual({ id, status: 400 });
      expect(await response.json()).toEqual({
        success: false,
        message:
          'Invalid session id: use 1-100 characters from A-Z, a-z, 0-9, "_", "." and "-" ("all" and "connected" are reserved)',
      });
    }
  });

  it('answers 404 "Session not found" for an unknown session on every route', async () => {
    const routes: [string, string][] = [
      ['GET', '/sessions/nope'],
      ['GET', '/sessions/nope/credentials'],
      ['GET', '/sessions/nope/status'],
      ['GET', '/sessions/nope/qr'],
      ['POST', '/sessions/nope/start'],
      ['POST', '/sessions/nope/stop'],
      ['POST', '/sessions/nope/restart'],
      ['POST', '/sessions/nope/logout'],
      ['DELETE', '/sessions/nope'],
      ['GET', '/api/v1/sessions/nope/qr'],
    ];
    for (const [method, path] of routes) {
      const response = await gateway.request(path, { method });
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 404 });
      expect(await response.json()).toEqual({ success: false, message: 'Session not found' });
    }
  });

  it('lists every bad field of a create request', async () => {
    const response = await post('/sessions', { sessionId: 'has space', name: 42, extra: true });
    expect(response.status).toBe(400);
    const body = (await response.json()) as {
      message: string;
      errors: { field: string; messages: string[] }[];
    };
    expect(body.message).toBe('Validation failed');
    expect(body.errors.map((error) => error.field).sort()).toEqual(['extra', 'name', 'sessionId']);
    expect(body.errors.find((error) => error.field === 'sessionId')?.messages).toContain(
      'sessionId must be 1-100 characters from A-Z, a-z, 0-9, "_", "." and "-"',
    );
  });

  it('refuses the reserved ids that would shadow /sessions/all and /sessions/connected', async () => {
    for (const sessionId of ['all', 'connected']) {
      const response = await post('/sessions', { sessionId });
      expect(response.status).toBe(400);
    }
  });

  it('answers 400 for malformed JSON and stores nothing', async () => {
    const response = await post('/sessions', undefined, '{"sessionId": "half');
    expect(response.status).toBe(400);
    const all = (await (await gateway.request('/sessions/all')).json()) as { count: number };
    expect(all.count).toBe(0);
  });

  it('creates with a generated UUID when no id is given, and 409 on a duplicate id', async () => {
    const generated = await post('/sessions', {});
    expect(generated.status).toBe(201);
    const { data } = (await generated.json()) as { data: { sessionId: string } };
    expect(data.sessionId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );

    const qr = nextSessionEvent<SessionQrEvent>(gateway, SessionEvents.Qr, 'dup-1');
    expect((await post('/sessions', { sessionId: 'dup-1' })).status).toBe(201);
    await qr;
    const duplicate = await post('/sessions', { sessionId: 'dup-1' });
    expect(duplicate.status).toBe(409);
    expect(await duplicate.json()).toEqual({
      success: false,
      message: 'Session dup-1 already exists',
    });
  });

  it('treats a double start as a no-op: one socket, same QR state', async () => {
    const before = sim.connectionCount;
    const [a, b] = await Promise.all([
      post('/sessions/dup-1/start'),
      post('/sessions/dup-1/start'),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const states = await Promise.all([a.json(), b.json()]);
    expect(states.map((s) => (s as { data: { status: string } }).data.status)).toEqual([
      'qr_waiting',
      'qr_waiting',
    ]);
    expect(sim.connectionCount).toBe(before);
  });

  it('answers 409 naming the state when no QR is pending, and after stop', async () => {
    const stopped = await post('/sessions/dup-1/stop');
    expect(stopped.status).toBe(200);
    expect(
      ((await stopped.json()) as { data: { status: string; isActive: boolean } }).data,
    ).toMatchObject({
      status: 'disconnected',
      isActive: false,
    });
    const qr = await gateway.request('/sessions/dup-1/qr');
    expect(qr.status).toBe(409);
    expect(await qr.json()).toEqual({
      success: false,
      message: 'No QR code pending: session is disconnected',
    });
  });

  it('validates the pairing-code phone number', async () => {
    const missing = await post('/sessions/dup-1/pairing-code', {});
    expect(missing.status).toBe(400);
    const bad = await post('/sessions/dup-1/pairing-code', { phoneNumber: 'call me' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { field: string }[] }).errors[0].field).toBe(
      'phoneNumber',
    );
  });

  it('paginates /api/v1/sessions and validates its query', async () => {
    const page = (await (await gateway.request('/api/v1/sessions?per_page=1&page=2')).json()) as {
      data: unknown[];
      meta: Record<string, number>;
    };
    expect(page.meta).toEqual({ page: 2, per_page: 1, total: 2, last_page: 2 });
    expect(page.data).toHaveLength(1);
    expect((await gateway.request('/api/v1/sessions?per_page=501')).status).toBe(400);
    expect((await gateway.request('/api/v1/sessions?session_state=flying')).status).toBe(400);
  });
});

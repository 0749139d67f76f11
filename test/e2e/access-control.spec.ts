import type { WaSimulator } from '../wa-sim';
import { startGateway, startSimulator } from '../support/gateway-with-sim';
import { connectSocket, emitWithAck, nextEvent } from '../support/socket-client';
import { DataSource } from 'typeorm';
import { AuditEventEntity } from '../../src/access/audit-event.entity';
import { AuditService } from '../../src/access/audit.service';
import { startTestApp, TestApp } from '../support/test-app';
import { createTestDatabase, testTier } from '../support/test-database';

interface Created {
  id: string;
  key: string;
  prefix: string;
}

describe(`access control: scoped keys, rate limits, audit (${testTier()})`, () => {
  let sim: WaSimulator;
  let untrust: () => void;
  let gateway: TestApp;

  beforeAll(async () => {
    ({ sim, untrust } = await startSimulator());
    gateway = await startGateway(sim);
    for (const sessionId of ['sales-1', 'other-1']) {
      expect((await gateway.post('/sessions', { sessionId })).status).toBe(201);
    }
  });
  afterAll(async () => {
    await gateway?.close();
    await sim?.stop();
    untrust?.();
  });

  const as = (key: string, path: string, init: RequestInit = {}) =>
    fetch(`${gateway.url}${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${key}`,
        'Content-Type': 'application/json',
        ...(init.headers as Record<string, string>),
      },
    });

  async function createKey(sessions: string[], permissions: string[]): Promise<Created> {
    const response = await gateway.post('/api-keys', { name: 'test key', sessions, permissions });
    expect(response.status).toBe(201);
    return ((await response.json()) as { data: Created }).data;
  }

  it('creates a key shown once (wag_ prefix), lists keys without secrets', async () => {
    const created = await createKey(['sales-1'], ['read']);
    expect(created.key).toMatch(/^wag_[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(created.prefix)).toBe(true);
    const listed = (await (await gateway.request('/api-keys')).json()) as {
      data: Record<string, unknown>[];
    };
    const item = listed.data.find((key) => key.id === created.id);
    expect(item).toMatchObject({ name: 'test key', sessions: ['sales-1'], permissions: ['read'] });
    expect(JSON.stringify(listed)).not.toContain(created.key);
    expect(Object.keys(item ?? {})).not.toContain('digest');
  });

  it('rejects bad key requests with 400 naming the field', async () => {
    const response = await gateway.post('/api-keys', {
      name: 'x',
      sessions: ['bad id!'],
      permissions: ['root'],
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { field: string }[] };
    expect(body.errors.map((error) => error.field).sort()).toEqual(['permissions', 'sessions']);
  });

  it('a scoped key sees only its sessions: lists narrowed, others 404 like missing ones', async () => {
    const { key } = await createKey(['sales-1'], ['read']);
    for (const path of ['/sessions', '/sessions/all', '/sessions/all/credentials']) {
      const body = (await (await as(key, path)).json()) as {
        data: { sessionId: string }[];
        count: number;
      };
      expect({ path, ids: body.data.map((item) => item.sessionId), count: body.count }).toEqual({
        path,
        ids: ['sales-1'],
        count: 1,
      });
    }
    const v1 = (await (await as(key, '/api/v1/sessions')).json()) as {
      data: { user_token: string }[];
      meta: { total: number };
    };
    expect(v1.data.map((item) => item.user_token)).toEqual(['sales-1']);
    expect(v1.meta.total).toBe(1);

    expect((await as(key, '/sessions/sales-1')).status).toBe(200);
    for (const path of [
      '/sessions/other-1',
      '/sessions/missing-1',
      '/api/v1/sessions/other-1/qr',
    ]) {
      const response = await as(key, path);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      expect(await response.json()).toEqual({ success: false, message: 'Session not found' });
    }
  });

  it('a key without the permission gets 403 "Forbidden for this session"; admin routes need admin', async () => {
    const { key } = await createKey(['sales-1'], ['read']);
    const stop = await as(key, '/sessions/sales-1/stop', { method: 'POST' });
    expect(stop.status).toBe(403);
    expect(await stop.json()).toEqual({ success: false, message: 'Forbidden for this session' });
    const create = await as(key, '/sessions', {
      method: 'POST',
      body: JSON.stringify({ sessionId: 'sneaky-1' }),
    });
    expect(create.status).toBe(403);
    expect((await as(key, '/api-keys')).status).toBe(403);
    expect((await as(key, '/audit')).status).toBe(403);
  });

  it('GET /api-keys/current tells a key what it may do (admin implies every permission)', async () => {
    const { id, key } = await createKey(['sales-1'], ['read', 'send']);
    const mine = await as(key, '/api-keys/current');
    expect(mine.status).toBe(200);
    expect(((await mine.json()) as { data: unknown }).data).toEqual({
      id,
      name: 'test key',
      sessions: ['sales-1'],
      permissions: ['read', 'send'],
    });
    const admin = (await (await gateway.request('/api-keys/current')).json()) as {
      data: { id: string; sessions: string[]; permissions: string[] };
    };
    expect(admin.data).toMatchObject({
      id: 'admin',
      sessions: ['*'],
      permissions: ['read', 'send', 'manage', 'admin'],
    });
    expect(JSON.stringify(admin)).not.toContain(gateway.apiKey);
    const { key: sendOnly } = await createKey(['sales-1'], ['send']);
    expect((await as(sendOnly, '/api-keys/current')).status).toBe(403);
  });

  it('revoking a key takes effect at once', async () => {
    const { id, key } = await createKey(['*'], ['read']);
    expect((await as(key, '/sessions')).status).toBe(200);
    expect((await gateway.request(`/api-keys/${id}`, { method: 'DELETE' })).status).toBe(200);
    const after = await as(key, '/sessions');
    expect(after.status).toBe(401);
    expect(await after.json()).toEqual({ success: false, message: 'Invalid API key' });
    expect((await gateway.request('/api-keys/999999', { method: 'DELETE' })).status).toBe(404);
  });

  it('audits changes with key, action, session, outcome, IP and request id, never secrets', async () => {
    const { key } = await createKey(['sales-1'], ['read', 'manage']);
    const stopped = await as(key, '/sessions/sales-1/stop', {
      method: 'POST',
      headers: { 'X-Request-Id': 'audit-req-1' },
    });
    expect(stopped.status).toBe(200);
    const audit = (await (await gateway.request('/audit?action=session.stop')).json()) as {
      data: Record<string, unknown>[];
      meta: { total: number };
    };
    expect(audit.data[0]).toMatchObject({
      action: 'session.stop',
      key_name: 'test key',
      session_id: 'sales-1',
      outcome: 'success',
      status_code: 200,
      client_ip: expect.any(String),
      request_id: 'audit-req-1',
    });
    const all = await (await gateway.request('/audit?per_page=500')).text();
    expect(all).not.toContain(key);
    expect(all).toContain('key.create');
    expect((await gateway.request('/audit?from=yesterday')).status).toBe(400);
  });

  it('audits refused attempts as denied: no key (401), no permission (403), outside the scope (404)', async () => {
    const { key: reader } = await createKey(['sales-1'], ['read']);
    const { key: outsider } = await createKey(['other-1'], ['read', 'manage']);
    const attempts: [string | undefined, number, string][] = [
      [undefined, 401, 'denied-401'],
      [reader, 403, 'denied-403'],
      [outsider, 404, 'denied-404'],
    ];
    for (const [key, status, requestId] of attempts) {
      const headers: Record<string, string> = { 'X-Request-Id': requestId };
      if (key) {
        headers.Authorization = `Bearer ${key}`;
      }
      const response = await fetch(`${gateway.url}/sessions/sales-1/logout`, {
        method: 'POST',
        headers,
      });
      expect(response.status).toBe(status);
    }
    const audit = (await (
      await gateway.request('/audit?action=session.logout&outcome=denied')
    ).json()) as { data: Record<string, unknown>[] };
    const byRequest = Object.fromEntries(audit.data.map((row) => [row.request_id, row]));
    for (const [, status, requestId] of attempts) {
      expect(byRequest[requestId]).toMatchObject({
        action: 'session.logout',
        session_id: 'sales-1',
        outcome: 'denied',
        status_code: status,
      });
    }
    expect(byRequest['denied-401']).toMatchObject({ key_id: null, key_name: null });
    expect(byRequest['denied-403']).toMatchObject({ key_name: 'test key' });
    // The session was not logged out by any of them
    const status = (await (await gateway.request('/sessions/sales-1')).json()) as {
      data: { status: string };
    };
    expect(status.data.status).not.toBe('logged_out');
  });

  it('audits contact exports (CSV), not plain reads of the same route', async () => {
    const { key } = await createKey(['sales-1'], ['read']);
    const csv = await as(key, '/api/sessions/sales-1/contacts?format=csv', {
      headers: { 'X-Request-Id': 'export-csv-1' },
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    await csv.arrayBuffer();
    expect((await as(key, '/api/sessions/sales-1/contacts')).status).toBe(200);
    const audit = (await (
      await gateway.request('/audit?action=contacts.export&session_id=sales-1')
    ).json()) as { data: Record<string, unknown>[]; meta: { total: number } };
    expect(audit.meta.total).toBe(1);
    expect(audit.data[0]).toMatchObject({
      outcome: 'success',
      status_code: 200,
      key_name: 'test key',
      request_id: 'export-csv-1',
    });
    const rows = (await (
      await gateway.request('/audit?session_id=sales-1&per_page=100')
    ).json()) as {
      data: { action: string }[];
    };
    expect(rows.data.map((row) => row.action)).not.toContain(
      'get /api/sessions/:session_id/contacts',
    );
  });

  it('records when a key was last used (GET /api-keys)', async () => {
    const { id, key } = await createKey(['sales-1'], ['read']);
    const before = (await (await gateway.request('/api-keys')).json()) as {
      data: { id: string; lastUsedAt: string | null }[];
    };
    expect(before.data.find((row) => row.id === id)?.lastUsedAt).toBeNull();
    const usedAt = Date.now();
    expect((await as(key, '/sessions')).status).toBe(200);
    // The write does not hold up the request: read until it is there (a bounded number of times)
    let lastUsedAt: string | null | undefined = null;
    for (let attempt = 0; attempt < 50 && !lastUsedAt; attempt += 1) {
      const listed = (await (await gateway.request('/api-keys')).json()) as typeof before;
      lastUsedAt = listed.data.find((row) => row.id === id)?.lastUsedAt;
    }
    expect(new Date(lastUsedAt ?? 0).getTime()).toBeGreaterThanOrEqual(usedAt - 1000);
  });

  it('prunes audit events older than AUDIT_RETENTION_DAYS and keeps the rest', async () => {
    const events = gateway.app.get(DataSource).getRepository(AuditEventEntity);
    const row = (at: Date, action: string) => ({
      at,
      action,
      outcome: 'success' as const,
      keyId: 'admin',
      keyName: 'admin',
      sessionId: 'sales-1',
      target: null,
      statusCode: 200,
      clientIp: null,
      requestId: null,
    });
    const day = 86_400_000;
    await events.insert([
      row(new Date(Date.now() - 91 * day), 'test.old'),
      row(new Date(Date.now() - 89 * day), 'test.recent'),
    ]);
    expect(await gateway.app.get(AuditService).prune()).toBeGreaterThanOrEqual(1);
    const total = async (action: string) =>
      (
        (await (await gateway.request(`/audit?action=${action}`)).json()) as {
          meta: { total: number };
        }
      ).meta.total;
    expect(await total('test.old')).toBe(0);
    expect(await total('test.recent')).toBe(1);
  });

  it('socket.io: session commands are audited like their REST routes (success, failure, denied)', async () => {
    const { key: manager } = await createKey(['sales-1', 'ghost-1'], ['read', 'manage']);
    const { key: reader } = await createKey(['sales-1'], ['read']);
    const managing = await connectSocket(gateway.url, { auth: { token: manager } });
    const reading = await connectSocket(gateway.url, { auth: { token: reader } });
    try {
      expect(await emitWithAck(managing, 'stop_session', { sessionId: 'sales-1' })).toMatchObject({
        success: true,
      });
      expect(await emitWithAck(reading, 'logout_session', { sessionId: 'sales-1' })).toEqual({
        success: false,
        message: 'Forbidden for this session',
      });
      expect(
        await emitWithAck(managing, 'load_sessions_from_storage', { sessionId: 'sales-1' }),
      ).toMatchObject({ success: false });
      // In scope but missing: a failure, not a refusal
      expect(await emitWithAck(managing, 'stop_session', { sessionId: 'ghost-1' })).toEqual({
        success: false,
        message: 'Session not found',
      });
      expect(await emitWithAck(managing, 'stop_session', { sessionId: 'other-1' })).toEqual({
        success: false,
        message: 'Session not found',
      });
    } finally {
      managing.close();
      reading.close();
    }
    const audit = (await (
      await gateway.request(`/audit?per_page=100&session_id=sales-1`)
    ).json()) as { data: Record<string, unknown>[] };
    const socketRows = audit.data.filter((row) => row.target === 'socket.io');
    expect(socketRows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'session.stop',
          outcome: 'success',
          status_code: 200,
          session_id: 'sales-1',
          key_name: 'test key',
          client_ip: expect.any(String),
          request_id: expect.stringMatching(/^ws:/),
        }),
        expect.objectContaining({ action: 'session.logout', outcome: 'denied', status_code: 403 }),
        expect.objectContaining({
          action: 'session.load_from_storage',
          outcome: 'denied',
          status_code: 403,
        }),
      ]),
    );
    // one request id per event: its socket's id and its number on that socket
    const requestIds = socketRows.map((row) => row.request_id);
    expect(new Set(requestIds).size).toBe(requestIds.length);
    for (const id of requestIds) {
      expect(id).toMatch(/^ws:[^:]+:\d+$/);
    }
    const outside = (await (
      await gateway.request('/audit?action=session.stop&session_id=other-1&outcome=denied')
    ).json()) as { data: Record<string, unknown>[] };
    expect(outside.data[0]).toMatchObject({ target: 'socket.io', status_code: 404 });
    const missing = (await (
      await gateway.request('/audit?action=session.stop&session_id=ghost-1')
    ).json()) as { data: Record<string, unknown>[] };
    expect(missing.data[0]).toMatchObject({
      target: 'socket.io',
      outcome: 'failure',
      status_code: 404,
    });
  });

  it('socket.io: a scoped key gets only its sessions and may command only what it may', async () => {
    const { key } = await createKey(['sales-1'], ['read']);
    const socket = await connectSocket(gateway.url, { auth: { token: key } });
    try {
      const foreign: string[] = [];
      socket.onAny((event: string, payload: { sessionId?: string }) => {
        if (payload?.sessionId === 'other-1' && event !== 'session_error') {
          foreign.push(event);
        }
      });
      const mine = nextEvent(socket, 'session_status', (event) => event.sessionId === 'sales-1');
      const other = await emitWithAck(socket, 'subscribe', { sessionId: 'other-1' });
      expect(other).toEqual({ success: false, message: 'Session not found' });
      const start = await emitWithAck(socket, 'start_session', { sessionId: 'sales-1' });
      expect(start).toEqual({ success: false, message: 'Forbidden for this session' });
      const active = await emitWithAck<{ data: { sessionId: string }[] }>(
        socket,
        'get_available_sessions',
      );
      expect(active.data.map((item) => item.sessionId)).toEqual(['sales-1']);
      // Both sessions change state; only sales-1 reaches this client
      await gateway.post('/sessions/other-1/restart');
      await gateway.post('/sessions/sales-1/restart');
      await mine;
      await emitWithAck(socket, 'get_available_sessions');
      expect(foreign).toEqual([]);
    } finally {
      socket.close();
    }
  });
});

describe(`rate limits per key (${testTier()})`, () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const app of apps) {
      await app.close();
    }
  });

  it('answers 429 in the envelope with Retry-After and RateLimit-* headers; health and metrics are not limited', async () => {
    const app = await startTestApp({ RATE_LIMIT_READ_PER_MINUTE: '3' });
    apps.push(app);
    for (let i = 0; i < 3; i += 1) {
      const response = await app.request('/sessions');
      expect(response.status).toBe(200);
      expect(response.headers.get('ratelimit-limit')).toBe('3');
      expect(response.headers.get('ratelimit-remaining')).toBe(String(2 - i));
    }
    const limited = await app.request('/sessions');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ success: false, message: 'Too many requests' });
    for (let i = 0; i < 5; i += 1) {
      expect((await fetch(`${app.url}/health`)).status).toBe(200);
      // Metrics scraping needs the key but is not limited
      expect((await app.request('/metrics')).status).toBe(200);
    }
    // Writes have their own budget
    expect((await app.post('/sessions/nope/stop')).status).toBe(404);
  });

  it('limits requests without a valid key per client IP: 429 past the limit, valid keys unaffected', async () => {
    const app = await startTestApp({ RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '3' });
    apps.push(app);
    const guess = () =>
      fetch(`${app.url}/sessions`, { headers: { Authorization: 'Bearer wag_guess0123456789' } });
    for (let i = 0; i < 3; i += 1) {
      expect((await guess()).status).toBe(401);
    }
    const limited = await guess();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ success: false, message: 'Too many requests' });
    expect((await fetch(`${app.url}/sessions`)).status).toBe(429);
    // socket.io handshakes from that IP count against the same budget
    await expect(connectSocket(app.url, { auth: { token: 'wag_guess' } })).rejects.toThrow(
      'Too many requests',
    );
    const valid = await connectSocket(app.url, { auth: { token: app.apiKey } });
    valid.close();
    expect((await app.request('/sessions')).status).toBe(200);
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
  });

  it('shares the limit between processes through Redis (REDIS_URL), not across databases', async () => {
    const db = await createTestDatabase();
    const env = {
      RATE_LIMIT_READ_PER_MINUTE: '2',
      REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      // One key per run, so earlier runs' counters do not count
      API_KEY: `redis-test-key-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    };
    const first = await startTestApp(env, db);
    const second = await startTestApp(env, db);
    apps.push(first, second);
    expect((await first.request('/sessions')).status).toBe(200);
    expect((await second.request('/sessions')).status).toBe(200);
    expect((await first.request('/sessions')).status).toBe(429);
    // another deployment on the same Redis (another database) keeps its own budget for the key
    const otherDb = await createTestDatabase();
    const other = await startTestApp(env, otherDb);
    apps.push(other);
    expect((await other.request('/sessions')).status).toBe(200);
    expect((await other.request('/sessions')).status).toBe(200);
    expect((await other.request('/sessions')).status).toBe(429);
    await db.drop();
    await otherDb.drop();
  });
});

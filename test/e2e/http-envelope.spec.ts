import { DataSource } from 'typeorm';
import { WhatsappSessionEntity } from '../../src/whatsapp/whatsapp-session.entity';
import { startTestApp, TestApp } from '../support/test-app';

describe('HTTP envelopes and status codes', () => {
  let gateway: TestApp;

  beforeAll(async () => {
    gateway = await startTestApp({ BODY_LIMIT: '2kb' });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('lists active and stored sessions in the seed 004 shape', async () => {
    const empty = await gateway.request('/sessions');
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({
      success: true,
      message: 'Sessions retrieved successfully',
      data: [],
      count: 0,
    });

    const repository = gateway.app.get(DataSource).getRepository(WhatsappSessionEntity);
    await repository.save(
      repository.create({ sessionId: 'whatsapp_connectiona', name: 'Sales', state: 'connected' }),
    );
    const active = (await (await gateway.request('/sessions')).json()) as { count: number };
    expect(active.count).toBe(0);
    const body = (await (await gateway.request('/sessions/all')).json()) as {
      data: unknown[];
      count: number;
    };
    expect(body.count).toBe(1);
    expect(body.data[0]).toEqual({
      id: expect.any(Number),
      sessionId: 'whatsapp_connectiona',
      name: 'Sales',
      status: 'connected',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      isActive: false,
      isAuthenticated: true,
      startTime: null,
      connectionStatus: 'AUTHENTICATED',
    });
  });

  it('answers malformed JSON with 400 in the envelope', async () => {
    const response = await gateway.request('/sessions', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"sessionId": ',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      success: false,
      message: 'Malformed JSON in request body',
    });
  });

  it('answers an oversized body with 413 in the envelope', async () => {
    const response = await gateway.request('/sessions', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ padding: 'x'.repeat(4096) }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ success: false, message: 'Request body too large' });
  });

  it('answers an unknown route with 404 in the envelope', async () => {
    const response = await gateway.request('/no/such/route');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      success: false,
      message: 'Route GET /no/such/route not found',
    });
  });

  it('echoes a valid X-Request-Id and generates one otherwise', async () => {
    const echoed = await gateway.request('/sessions', { headers: { 'X-Request-Id': 'trace-123' } });
    expect(echoed.headers.get('x-request-id')).toBe('trace-123');
    const generated = await gateway.request('/sessions', {
      headers: { 'X-Request-Id': 'bad id with spaces' },
    });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('exposes Prometheus metrics with HTTP durations by route pattern and status', async () => {
    await gateway.request('/sessions');
    const response = await gateway.request('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/sessions",status_code="200"\} \d+/,
    );
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).toContain('nodejs_heap_size_used_bytes');
  });
});

describe('unexpected errors and a database outage', () => {
  let gateway: TestApp;

  beforeAll(async () => {
    gateway = await startTestApp();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('answers an unexpected error with a generic 500 and an error id, leaking nothing', async () => {
    await gateway.app.get(DataSource).query('DROP TABLE whatsapp_sessions');
    const response = await gateway.request('/sessions/all');
    expect(response.status).toBe(500);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({
      success: false,
      message: 'Internal server error',
      error_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(JSON.stringify(body)).not.toMatch(/whatsapp_sessions|SELECT|stack/i);
  });

  it('reports the database down on /health with 503', async () => {
    const healthy = await fetch(`${gateway.url}/health`);
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toMatchObject({
      success: true,
      data: { status: 'ok', info: { database: { status: 'up' } } },
    });

    await gateway.app.get(DataSource).destroy();
    const down = await fetch(`${gateway.url}/health`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({
      success: false,
      message: 'Service unavailable',
      data: { status: 'error', error: { database: { status: 'down' } } },
    });
  });
});

import { statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';

describe('API key auth', () => {
  let gateway: TestApp;

  beforeAll(async () => {
    gateway = await startTestApp();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}${path}`, { headers });

  it('answers 401 {"success":false,"message":"Invalid API key"} without a key', async () => {
    const response = await get('/sessions');
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ success: false, message: 'Invalid API key' });
  });

  it('answers 401 for a wrong key in either header form', async () => {
    const attempts: Record<string, string>[] = [
      { Authorization: 'Bearer wrong-key-0123456789' },
      { 'X-API-Key': 'wrong-key-0123456789' },
      { Authorization: `Basic ${gateway.apiKey}` },
      { Authorization: `Bearer ${gateway.apiKey}x` },
    ];
    for (const headers of attempts) {
      const response = await get('/sessions', headers);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ success: false, message: 'Invalid API key' });
    }
  });

  it('accepts the key as a Bearer token or as X-API-Key', async () => {
    expect((await get('/sessions', { Authorization: `Bearer ${gateway.apiKey}` })).status).toBe(
      200,
    );
    expect((await get('/sessions', { Authorization: `bearer ${gateway.apiKey}` })).status).toBe(
      200,
    );
    expect((await get('/sessions', { 'X-API-Key': gateway.apiKey })).status).toBe(200);
  });

  it('keeps /health, /docs and /docs-json public and /metrics private', async () => {
    expect((await get('/health')).status).toBe(200);
    const docs = await get('/docs');
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger-ui');
    expect((await get('/docs-json')).status).toBe(200);
    expect((await get('/metrics')).status).toBe(401);
  });
});

describe('generated API key', () => {
  it('is generated once when API_KEY is unset, stored 0600 in DATA_DIR, printed once and reused', async () => {
    const db = await createTestDatabase();
    const printed: string[] = [];
    const write = jest
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk: string | Uint8Array) => {
        printed.push(String(chunk));
        return true;
      });
    try {
      const first = await startTestApp({ API_KEY: undefined }, db);
      const file = join(db.dataDir, 'api-key');
      const key = readFileSync(file, 'utf8').trim();
      expect(key).toMatch(/^wag_[A-Za-z0-9_-]{43}$/);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(printed.join('')).toContain(key);
      const authorized = await fetch(`${first.url}/sessions`, { headers: { 'X-API-Key': key } });
      expect(authorized.status).toBe(200);
      await first.close();

      printed.length = 0;
      const second = await startTestApp({ API_KEY: undefined }, db);
      expect(printed.join('')).not.toContain(key);
      const again = await fetch(`${second.url}/sessions`, {
        headers: { Authorization: `Bearer ${key}` },
      });
      expect(again.status).toBe(200);
      await second.close();
    } finally {
      write.mockRestore();
      await db.drop();
    }
  });
});

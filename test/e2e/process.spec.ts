import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildGateway, startGatewayProcess } from '../support/built-gateway';
import { createTestDatabase, TestDatabase, testTier } from '../support/test-database';

describe('the gateway process', () => {
  let build: ReturnType<typeof buildGateway>;
  let db: TestDatabase;

  beforeAll(async () => {
    mkdirSync(join(__dirname, '..', '..', '.test-build'), { recursive: true });
    build = buildGateway();
    db = await createTestDatabase();
  }, 60_000);
  afterAll(async () => {
    build?.remove();
    await db?.drop();
  });

  it('refuses to start on a bad setting, naming the variable', async () => {
    const gateway = startGatewayProcess(build.mainJs, { ...db.env, PORT: 'eighty' });
    await expect(gateway).rejects.toThrow(/PORT must be an integer port number \(got "eighty"\)/);
  });

  it('serves, then on SIGTERM closes HTTP and the database cleanly and exits 0', async () => {
    const gateway = await startGatewayProcess(build.mainJs, {
      ...db.env,
      API_KEY: 'process-test-key-0123456789',
    });
    const health = await fetch(`${gateway.url}/health`);
    expect(health.status).toBe(200);

    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toEqual({ code: 0, signal: null });
    expect(gateway.lines.join('\n')).toContain('Shutdown complete');
    await expect(fetch(`${gateway.url}/health`)).rejects.toThrow();
    if (testTier() === 'sqlite') {
      // SQLite removes the write-ahead log only when the last connection closes cleanly
      expect(existsSync(`${db.config.sqlitePath}-wal`)).toBe(false);
      expect(existsSync(db.config.sqlitePath)).toBe(true);
    }
  });

  it('never logs the API key, even when a client sends it', async () => {
    const key = 'process-test-key-abcdefghijkl';
    const gateway = await startGatewayProcess(build.mainJs, { ...db.env, API_KEY: key });
    await fetch(`${gateway.url}/sessions`, { headers: { Authorization: `Bearer ${key}` } });
    await fetch(`${gateway.url}/sessions?api_key=${key}`, { headers: { 'X-API-Key': key } });
    await fetch(`${gateway.url}/sessions`, { headers: { 'X-API-Key': 'wrong-but-secret-value' } });
    gateway.child.kill('SIGTERM');
    await gateway.exited;
    const log = gateway.lines.join('\n');
    expect(log).toContain('"url":"/sessions?api_key=%5Bredacted%5D"');
    expect(log).not.toContain(key);
    expect(log).not.toContain('wrong-but-secret-value');
    for (const line of gateway.lines.filter((l) => l.startsWith('{'))) {
      expect(() => JSON.parse(line) as unknown).not.toThrow();
    }
  });
});

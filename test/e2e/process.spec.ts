import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { WaSimulator } from '../wa-sim';
import { runCurveSignaturesInMainRealm } from '../wa-sim/testing/main-realm-curve';
import { buildGateway, startGatewayProcess } from '../support/built-gateway';
import { connectSocket, emitWithAck, nextEvent } from '../support/socket-client';
import Database from 'better-sqlite3';
import { createTestDatabase, mysqlAdmin, TestDatabase, testTier } from '../support/test-database';

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
  it('logs an unexpected error with its id and stack, and answers only the id', async () => {
    const gateway = await startGatewayProcess(build.mainJs, {
      ...db.env,
      API_KEY: 'process-test-key-0123456789',
    });
    if (testTier() === 'sqlite') {
      const sqlite = new Database(db.config.sqlitePath);
      sqlite.exec('DROP TABLE whatsapp_sessions');
      sqlite.close();
    } else {
      await mysqlAdmin(`DROP TABLE \`${db.config.name}\`.whatsapp_sessions`);
    }
    const response = await fetch(`${gateway.url}/sessions/all`, {
      headers: { 'X-API-Key': 'process-test-key-0123456789' },
    });
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error_id: string };
    gateway.child.kill('SIGTERM');
    await gateway.exited;
    const logged = gateway.lines.find(
      (line) => line.includes(body.error_id) && line.includes('"level":"error"'),
    );
    expect(logged).toBeDefined();
    expect(logged).toMatch(/whatsapp_sessions/);
    expect(logged).toMatch(/"stack":/);
  });
});

describe('a linked session across a real gateway process restart', () => {
  let build: ReturnType<typeof buildGateway>;
  let db: TestDatabase;
  let sim: WaSimulator;
  let restoreCurve: () => void;

  beforeAll(async () => {
    mkdirSync(join(__dirname, '..', '..', '.test-build'), { recursive: true });
    build = buildGateway();
    db = await createTestDatabase();
    sim = await WaSimulator.start();
    restoreCurve = runCurveSignaturesInMainRealm();
  }, 60_000);
  afterAll(async () => {
    restoreCurve?.();
    await sim?.stop();
    build?.remove();
    await db?.drop();
  });

  it('survives SIGTERM and a new process: reconnects with stored credentials, no QR, not logged out', async () => {
    const key = 'process-restart-key-0123456789';
    const env = {
      ...db.env,
      API_KEY: key,
      WA_WS_URL: sim.wsUrl,
      WA_SIM_ROOT_PUBLIC_KEY: sim.rootPublicKeyHex,
      LOG_LEVEL: 'info',
      WA_LOG_LEVEL: 'error',
    };
    const preload = ['-r', join(__dirname, '..', 'wa-sim', 'trust-root.js')];
    const first = await startGatewayProcess(build.mainJs, env, preload);
    const socket = await connectSocket(first.url, { auth: { token: key } });
    const qr = nextEvent<{ qr: string }>(socket, 'qr_code');
    const connected = nextEvent<{ userInfo: { phoneNumber: string } }>(socket, 'session_connected');
    expect(await emitWithAck(socket, 'start_session', { sessionId: 'proc-1' })).toMatchObject({
      success: true,
    });
    const linked = await sim.scan((await qr).qr, { name: 'Brutus' });
    expect((await connected).userInfo.phoneNumber).toBe(linked.phone);
    socket.close();

    let unlinked = 0;
    const countUnlinks = sim.on('unlinked', () => {
      unlinked += 1;
    });
    const closed = sim.waitFor('closed', (event) => event.phone === linked.phone);
    first.child.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    await closed;

    let pairing = 0;
    const countPairing = sim.on('pairing-requested', () => {
      pairing += 1;
    });
    const login = sim.waitFor('login', (event) => event.phone === linked.phone);
    const second = await startGatewayProcess(build.mainJs, env, preload);
    try {
      expect((await login).firstLogin).toBe(false);
      const watcher = await connectSocket(second.url, { auth: { token: key } });
      // Subscribe before looking, so a connect in between is not missed
      await emitWithAck(watcher, 'subscribe', { sessionId: 'proc-1' });
      const reconnected = nextEvent(watcher, 'session_connected');
      const status = await emitWithAck<{ data: { status: string } }>(
        watcher,
        'get_session_status',
        {
          sessionId: 'proc-1',
        },
      );
      if (status.data.status === 'connected') {
        reconnected.catch(() => undefined);
      } else {
        await reconnected;
      }
      watcher.close();
      const credentials = (await (
        await fetch(`${second.url}/sessions/proc-1/credentials`, { headers: { 'X-API-Key': key } })
      ).json()) as { data: { status: string; userInfo: { phoneNumber: string } } };
      expect(credentials.data).toMatchObject({
        status: 'connected',
        userInfo: { phoneNumber: linked.phone },
      });
      expect(pairing).toBe(0);
      expect(unlinked).toBe(0);
    } finally {
      countUnlinks();
      countPairing();
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });
});

import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import type { WaSimulator } from '../wa-sim';
import { ContactEntity } from '../../src/contacts/contact.entity';
import { AuthKeyEntity } from '../../src/whatsapp/auth-key.entity';
import {
  SessionConnectedEvent,
  SessionDisconnectedEvent,
  SessionEvents,
  SessionQrEvent,
  SessionStateChangedEvent,
} from '../../src/whatsapp/session-events';
import { nextSessionEvent, startGateway, startSimulator } from '../support/gateway-with-sim';
import type { TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase, testTier } from '../support/test-database';

interface Body<T = Record<string, unknown>> {
  success: boolean;
  message: string;
  data: T;
  count?: number;
}

async function json<T = Record<string, unknown>>(response: Response): Promise<Body<T>> {
  return (await response.json()) as Body<T>;
}

describe(`session lifecycle over REST against the simulator (${testTier()})`, () => {
  let sim: WaSimulator;
  let untrust: () => void;
  let db: TestDatabase;
  let gateway: TestApp;

  beforeAll(async () => {
    ({ sim, untrust } = await startSimulator());
    db = await createTestDatabase();
    gateway = await startGateway(sim, {}, db);
  });
  afterAll(async () => {
    await gateway?.close();
    await sim?.stop();
    untrust?.();
    await db?.drop();
  });

  const post = (path: string, body?: unknown) => gateway.post(path, body);

  async function authRows(sessionId: string): Promise<number> {
    return gateway.app.get(DataSource).getRepository(AuthKeyEntity).countBy({ sessionId });
  }

  /** Creates a session, scans its first QR with the simulated phone and waits until connected. */
  async function link(sessionId: string, options: { name?: string } = {}) {
    const qr = nextSessionEvent<SessionQrEvent>(gateway, SessionEvents.Qr, sessionId);
    const connected = nextSessionEvent<SessionConnectedEvent>(
      gateway,
      SessionEvents.Connected,
      sessionId,
    );
    expect((await post('/sessions', { sessionId, name: options.name })).status).toBe(201);
    const linked = await sim.scan((await qr).qr, { name: options.name });
    await connected;
    return linked;
  }

  let phone: string;

  it('creates a session, serves its QR as JSON and PNG, and links it when the phone scans', async () => {
    const qrEvent = nextSessionEvent<SessionQrEvent>(gateway, SessionEvents.Qr, 'flow-1');
    const created = await post('/sessions', { sessionId: 'flow-1', name: 'Popeye' });
    expect(created.status).toBe(201);
    expect(await json(created)).toMatchObject({
      success: true,
      message: 'Session created',
      data: { sessionId: 'flow-1', name: 'Popeye', isActive: true, isAuthenticated: false },
    });
    const { qr: rawQr } = await qrEvent;

    const qrResponse = await gateway.request('/sessions/flow-1/qr');
    expect(qrResponse.status).toBe(200);
    const qrBody = await json<{ qr: string; qrCode: string; expiresAt: string; status: string }>(
      qrResponse,
    );
    expect(qrBody.message).toBe('QR code retrieved successfully');
    expect(qrBody.data.qr).toBe(rawQr);
    expect(qrBody.data.status).toBe('qr_waiting');
    expect(qrBody.data.qrCode).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
    const expiresIn = new Date(qrBody.data.expiresAt).getTime() - Date.now();
    expect(expiresIn).toBeGreaterThan(30_000);
    expect(expiresIn).toBeLessThanOrEqual(60_000);

    const png = await gateway.request('/sessions/flow-1/qr', { headers: { Accept: 'image/png' } });
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await png.arrayBuffer()).subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );

    const v1 = await json<{
      user_token: string;
      qr_code: string;
      qr_string: string;
      session_state: string;
    }>(await gateway.request('/api/v1/sessions/flow-1/qr'));
    expect(v1.data).toMatchObject({
      user_token: 'flow-1',
      session_state: 'qr_waiting',
      qr_string: rawQr,
      // One meaning everywhere: qr is the raw string, qrCode the PNG data URL
      qr: rawQr,
      qrCode: qrBody.data.qrCode,
    });
    expect(v1.data.qr_code).toBe(qrBody.data.qrCode);

    const restarted = nextSessionEvent<SessionDisconnectedEvent>(
      gateway,
      SessionEvents.Disconnected,
      'flow-1',
    );
    const connected = nextSessionEvent<SessionConnectedEvent>(
      gateway,
      SessionEvents.Connected,
      'flow-1',
    );
    const named = nextSessionEvent(gateway, SessionEvents.AccountUpdated, 'flow-1');
    const linked = await sim.scan(rawQr, { name: 'Popeye', platform: 'android' });
    phone = linked.phone;
    // Pairing ends with the 515 restart, which is not an error
    expect(await restarted).toMatchObject({
      statusCode: 515,
      willReconnect: true,
      loggedOut: false,
    });
    const { account } = await connected;
    expect(account).toMatchObject({
      phoneNumber: phone,
      jid: linked.deviceJid,
      platform: 'android',
    });
    // the push name comes with the connection (history sync stored before it opened) or just after
    if (account.name === 'Popeye') {
      named.catch(() => undefined);
    } else {
      await named;
    }

    const credentials = await json(await gateway.request('/sessions/flow-1/credentials'));
    expect(credentials).toEqual({
      success: true,
      message: 'Session credentials retrieved successfully',
      data: expect.objectContaining({
        sessionId: 'flow-1',
        status: 'connected',
        isActive: true,
        isAuthenticated: true,
        connectionStatus: 'AUTHENTICATED',
        startTime: expect.any(Number),
        userInfo: {
          phoneNumber: phone,
          name: 'Popeye',
          jid: linked.deviceJid,
          lid: `${linked.lid.split('@')[0]}:1@lid`,
          platform: 'android',
          registered: false,
        },
      }),
    });
    expect((await gateway.request('/sessions/flow-1/qr')).status).toBe(409);
    expect(await json(await gateway.request('/sessions/flow-1/qr'))).toEqual({
      success: false,
      message: 'No QR code pending: session is connected',
    });
  });

  it('lists it among active, connected and all sessions in the seed 004 shapes', async () => {
    const connected = await json<Record<string, unknown>[]>(
      await gateway.request('/sessions/connected/credentials'),
    );
    expect(connected.message).toBe('Connected sessions with credentials retrieved successfully');
    expect(connected.count).toBe(1);
    expect(connected.data[0]).toMatchObject({
      sessionId: 'flow-1',
      userInfo: { phoneNumber: phone },
    });
    for (const path of [
      '/sessions',
      '/sessions/connected',
      '/sessions/all',
      '/sessions/all/credentials',
    ]) {
      const body = await json<{ sessionId: string }[]>(await gateway.request(path));
      expect({ path, ids: body.data.map((session) => session.sessionId) }).toEqual({
        path,
        ids: ['flow-1'],
      });
    }
    const status = await json(await gateway.request('/sessions/flow-1/status'));
    expect(status.data).toMatchObject({
      status: 'connected',
      hasQr: false,
      connectionStatus: 'AUTHENTICATED',
    });
    const metrics = await (await gateway.request('/metrics')).text();
    expect(metrics).toContain('wa_sessions{state="connected"} 1');
    expect(metrics).toMatch(/wa_session_disconnects_total\{code="515",will_reconnect="true"\} 1/);
    const v1 = await json<{ user_token: string; phone_number: string }[]>(
      await gateway.request('/api/v1/sessions'),
    );
    expect(v1).toMatchObject({ meta: { page: 1, per_page: 50, total: 1, last_page: 1 } });
    expect(v1.data[0]).toMatchObject({
      user_token: 'flow-1',
      phone_number: phone,
      session_state: 'connected',
    });
  });

  it('starting a running session again is a no-op that returns its state', async () => {
    const connections = sim.connectionCount;
    const again = await post('/sessions/flow-1/start');
    expect(again.status).toBe(200);
    expect((await json(again)).data).toMatchObject({ status: 'connected', isAuthenticated: true });
    expect(sim.connectionCount).toBe(connections);
  });

  it('reconnects at once after a 515 kick, without a QR code', async () => {
    const states: string[] = [];
    const disconnected = nextSessionEvent<SessionDisconnectedEvent>(
      gateway,
      SessionEvents.Disconnected,
      'flow-1',
    );
    const connected = nextSessionEvent<SessionConnectedEvent>(
      gateway,
      SessionEvents.Connected,
      'flow-1',
    );
    const recordStates = (event: SessionStateChangedEvent): void => {
      if (event.sessionId === 'flow-1') {
        states.push(event.state);
      }
    };
    gateway.app.get(EventEmitter2).on(SessionEvents.StateChanged, recordStates);
    sim.account(phone).kick(515);
    expect(await disconnected).toMatchObject({ statusCode: 515, willReconnect: true });
    await connected;
    gateway.app.get(EventEmitter2).off(SessionEvents.StateChanged, recordStates);
    // Straight back: no QR code, no backoff
    expect(states).toEqual(['connecting', 'connected']);
  });

  it('reconnects with backoff after the connection drops', async () => {
    const disconnected = nextSessionEvent<SessionDisconnectedEvent>(
      gateway,
      SessionEvents.Disconnected,
      'flow-1',
    );
    const waiting = nextSessionEvent<SessionStateChangedEvent>(
      gateway,
      SessionEvents.StateChanged,
      'flow-1',
      (e) => e.state === 'disconnected',
    );
    const connected = nextSessionEvent<SessionConnectedEvent>(
      gateway,
      SessionEvents.Connected,
      'flow-1',
    );
    sim.account(phone).drop();
    const drop = await disconnected;
    expect(drop.willReconnect).toBe(true);
    expect(drop.reason).toMatch(/reconnecting in \d+(\.\d)?s \(attempt 1\/5\)/);
    expect((await waiting).reason).toBe(drop.reason);
    await connected;
    expect((await json(await gateway.request('/sessions/flow-1/status'))).data).toMatchObject({
      status: 'connected',
      disconnectReason: null,
    });
  });

  it('comes back connected without a QR after the gateway restarts', async () => {
    await gateway.close();
    let pairingRequests = 0;
    const countPairing = sim.events.on('pairing-requested', () => {
      pairingRequests += 1;
    });
    const login = sim.events.waitFor('login', (event) => event.phone === phone);
    gateway = await startGateway(sim, {}, db);
    const restoredLogin = await login;
    expect(restoredLogin.firstLogin).toBe(false);
    const connected = await json<{ status: string; userInfo: { phoneNumber: string } }>(
      await waitForConnectedCredentials(gateway, 'flow-1'),
    );
    expect(connected.data.userInfo.phoneNumber).toBe(phone);
    countPairing();
    expect(pairingRequests).toBe(0);
  });

  it('logs out: state logged_out, the phone unlinks the device, auth state gone', async () => {
    expect(await authRows('flow-1')).toBeGreaterThan(0);
    const unlinked = sim.events.waitFor('unlinked', (event) => event.phone === phone);
    const response = await post('/sessions/flow-1/logout');
    expect(response.status).toBe(200);
    expect((await json(response)).data).toMatchObject({ status: 'logged_out', isActive: false });
    expect((await unlinked).by).toBe('client');
    expect(await authRows('flow-1')).toBe(0);
    const credentials = await json(await gateway.request('/sessions/flow-1/credentials'));
    expect(credentials.data).toMatchObject({ status: 'logged_out', userInfo: null });
  });

  it('ends in logged_out when the phone removes the device (401 kick)', async () => {
    const linked = await link('flow-2');
    const loggedOut = nextSessionEvent<SessionDisconnectedEvent>(
      gateway,
      SessionEvents.Disconnected,
      'flow-2',
      (e) => e.loggedOut,
    );
    sim.account(linked.phone).kick(401);
    expect(await loggedOut).toMatchObject({ statusCode: 401, willReconnect: false });
    expect(await authRows('flow-2')).toBe(0);
    expect((await json(await gateway.request('/sessions/flow-2/status'))).data).toMatchObject({
      status: 'logged_out',
      isActive: false,
    });
  });

  it('stops and reports when the connection is replaced (440)', async () => {
    const linked = await link('flow-3');
    const replaced = nextSessionEvent<SessionDisconnectedEvent>(
      gateway,
      SessionEvents.Disconnected,
      'flow-3',
    );
    sim.account(linked.phone).kick(440);
    expect(await replaced).toMatchObject({
      statusCode: 440,
      willReconnect: false,
      loggedOut: false,
    });
    const status = await json(await gateway.request('/sessions/flow-3/status'));
    expect(status.data).toMatchObject({ status: 'disconnected', isActive: false });
    expect(status.data.disconnectReason).toMatch(/replaced/);
    expect(await authRows('flow-3')).toBeGreaterThan(0);
  });

  it('keeps two sessions isolated: kicking one leaves the other connected', async () => {
    const a = await link('iso-a');
    const b = await link('iso-b');
    expect(a.phone).not.toBe(b.phone);
    const aDown = nextSessionEvent<SessionDisconnectedEvent>(
      gateway,
      SessionEvents.Disconnected,
      'iso-a',
      (e) => e.loggedOut,
    );
    sim.account(a.phone).kick(401);
    await aDown;
    const both = await json<
      { sessionId: string; status: string; userInfo: { phoneNumber: string } | null }[]
    >(await gateway.request('/sessions/all/credentials'));
    const byId = Object.fromEntries(both.data.map((session) => [session.sessionId, session]));
    expect(byId['iso-a']).toMatchObject({ status: 'logged_out', userInfo: null });
    expect(byId['iso-b']).toMatchObject({
      status: 'connected',
      userInfo: { phoneNumber: b.phone },
    });
    expect(await authRows('iso-b')).toBeGreaterThan(0);
  });

  it('deletes a session with its auth state; contacts stay unless purge=true', async () => {
    const contacts = gateway.app.get(DataSource).getRepository(ContactEntity);
    await contacts.insert([
      { sessionId: 'iso-b', contactId: '6281111111111@s.whatsapp.net' },
      { sessionId: 'flow-3', contactId: '6282222222222@s.whatsapp.net' },
    ]);

    const response = await gateway.request('/sessions/iso-b', { method: 'DELETE' });
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({
      success: true,
      message: 'Session deleted',
      data: { sessionId: 'iso-b', purged: false },
    });
    expect(await authRows('iso-b')).toBe(0);
    expect((await gateway.request('/sessions/iso-b')).status).toBe(404);
    expect(await contacts.countBy({ sessionId: 'iso-b' })).toBe(1);

    const purged = await gateway.request('/sessions/flow-3?purge=true', { method: 'DELETE' });
    expect((await json(purged)).data).toEqual({ sessionId: 'flow-3', purged: true });
    expect(await authRows('flow-3')).toBe(0);
    expect(await contacts.countBy({ sessionId: 'flow-3' })).toBe(0);
  });
});

/** GET credentials once the restored session reports connected (it reconnects on its own). */
async function waitForConnectedCredentials(gateway: TestApp, sessionId: string): Promise<Response> {
  const connected = nextSessionEvent(gateway, SessionEvents.Connected, sessionId);
  const response = await gateway.request(`/sessions/${sessionId}/credentials`);
  const body = (await response.clone().json()) as { data: { status: string } };
  if (body.data.status === 'connected') {
    connected.catch(() => undefined);
    return response;
  }
  await connected;
  return gateway.request(`/sessions/${sessionId}/credentials`);
}

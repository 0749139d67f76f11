import type { Socket } from 'socket.io-client';
import type { WaSimulator } from '../wa-sim';
import { startGateway, startSimulator } from '../support/gateway-with-sim';
import { connectSocket, emitWithAck, nextEvent } from '../support/socket-client';
import type { TestApp } from '../support/test-app';
import { testTier } from '../support/test-database';

interface QrPayload {
  sessionId: string;
  /** The raw string to encode */
  qr: string;
  /** The PNG data URL */
  qrCode: string;
  expiresAt: string;
}

interface StatusPayload {
  sessionId: string;
  status: string;
  previousStatus?: string;
  reason?: string | null;
  disconnectedAt: string | null;
  [key: string]: unknown;
}

describe(`sessions over socket.io with the seed 002 events (${testTier()})`, () => {
  let sim: WaSimulator;
  let untrust: () => void;
  let gateway: TestApp;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    ({ sim, untrust } = await startSimulator());
    gateway = await startGateway(sim);
  });
  afterAll(async () => {
    sockets.forEach((socket) => socket.close());
    await gateway?.close();
    await sim?.stop();
    untrust?.();
  });

  async function client(
    options: Parameters<typeof connectSocket>[1] = { auth: { token: gateway.apiKey } },
  ) {
    const socket = await connectSocket(gateway.url, options);
    sockets.push(socket);
    return socket;
  }

  it('refuses a handshake without a valid key with connect_error "Invalid API key"', async () => {
    await expect(connectSocket(gateway.url, {})).rejects.toThrow('Invalid API key');
    await expect(
      connectSocket(gateway.url, { auth: { token: 'wrong-key-0123456789' } }),
    ).rejects.toThrow('Invalid API key');
    await expect(
      connectSocket(gateway.url, { query: { token: 'nope' }, transports: ['polling'] }),
    ).rejects.toThrow('Invalid API key');
  });

  it('accepts the key as auth.token, as a Bearer header, or as ?token= (websocket and polling)', async () => {
    (await client({ auth: { token: gateway.apiKey } })).close();
    (await client({ extraHeaders: { Authorization: `Bearer ${gateway.apiKey}` } })).close();
    (await client({ query: { token: gateway.apiKey }, transports: ['polling'] })).close();
  });

  let phone: string;

  it('start_session → qr_code → scan → session_connected, with acknowledgements', async () => {
    const socket = await client();
    const qr = nextEvent<QrPayload>(socket, 'qr_code', (payload) => payload.sessionId === 'ws-1');
    const ack = await emitWithAck(socket, 'start_session', { sessionId: 'ws-1', name: 'Socket' });
    expect(ack).toMatchObject({
      success: true,
      message: 'Session started',
      data: { sessionId: 'ws-1', name: 'Socket' },
    });

    const { qr: raw, qrCode } = await qr;
    expect(qrCode).toMatch(/^data:image\/png;base64,/);
    expect(raw).toMatch(/2@[^,]+,/);
    const connected = nextEvent<{ sessionId: string; userInfo: Record<string, unknown> }>(
      socket,
      'session_connected',
    );
    const named = nextEvent<{ sessionId: string; userInfo: { name: string | null } }>(
      socket,
      'session_updated',
      (event) => event.userInfo.name === 'Olive',
    );
    const restarting = nextEvent<{ willReconnect: boolean; statusCode: number }>(
      socket,
      'session_disconnected',
    );
    const linked = await sim.scan(raw, { name: 'Olive' });
    phone = linked.phone;
    expect(await restarting).toMatchObject({
      sessionId: 'ws-1',
      statusCode: 515,
      willReconnect: true,
    });
    const opened = (await connected) as { userInfo: Record<string, unknown> };
    expect(opened).toMatchObject({
      sessionId: 'ws-1',
      userInfo: { phoneNumber: phone, jid: linked.deviceJid, platform: 'android' },
    });
    // The push name is announced in the same userInfo shape as REST: in session_connected when
    // the phone's history sync was stored before the connection opened (inbound messages are
    // stored before their receipt), else in a session_updated moments after
    let userInfo = opened.userInfo;
    if (userInfo.name === 'Olive') {
      named.catch(() => undefined);
    } else {
      ({ userInfo } = await named);
    }
    const rest = await fetch(`${gateway.url}/sessions/ws-1/credentials`, {
      headers: { Authorization: `Bearer ${gateway.apiKey}` },
    });
    const credentials = (await rest.json()) as { data: { userInfo: Record<string, unknown> } };
    expect(userInfo).toEqual(credentials.data.userInfo);
    expect(Object.keys(userInfo).sort()).toEqual(
      ['jid', 'lid', 'name', 'phoneNumber', 'platform', 'registered'].sort(),
    );
  });

  it('get_session_status answers session_status and the ack', async () => {
    const socket = await client();
    const event = nextEvent(socket, 'session_status');
    const ack = await emitWithAck(socket, 'get_session_status', { sessionId: 'ws-1' });
    expect(ack).toMatchObject({ success: true, data: { sessionId: 'ws-1', status: 'connected' } });
    expect(await event).toMatchObject({
      sessionId: 'ws-1',
      status: 'connected',
      connectionStatus: 'AUTHENTICATED',
    });
  });

  it('get_active_sessions answers active_sessions with isConnected', async () => {
    const socket = await client();
    const event = nextEvent<{ sessionId: string; isConnected: boolean }[]>(
      socket,
      'active_sessions',
    );
    await emitWithAck(socket, 'get_active_sessions');
    const sessions = await event;
    expect(sessions).toEqual([
      expect.objectContaining({
        sessionId: 'ws-1',
        isConnected: true,
        userInfo: expect.objectContaining({ phoneNumber: phone }),
      }),
    ]);
  });

  it("a client that never subscribes gets every session's events; subscribe and unsubscribe narrow that", async () => {
    const watcher = await client(); // seed 002's clients never subscribe
    const narrowed = await client();
    expect(await emitWithAck(narrowed, 'subscribe', { sessionId: 'someone-else' })).toMatchObject({
      success: true,
      data: { all: false, sessions: ['someone-else'] },
    });
    const muted = await client();
    expect(await emitWithAck(muted, 'unsubscribe', { sessionId: 'ws-1' })).toMatchObject({
      success: true,
      data: { all: true, muted: ['ws-1'] },
    });
    const wrongly: string[] = [];
    for (const socket of [narrowed, muted]) {
      socket.onAny((event: string, payload: { sessionId?: string }) => {
        if (payload?.sessionId === 'ws-1') {
          wrongly.push(event);
        }
      });
    }
    const down = nextEvent<{ sessionId: string; willReconnect: boolean }>(
      watcher,
      'session_disconnected',
    );
    const up = nextEvent<{ sessionId: string }>(watcher, 'session_connected');
    sim.account(phone).kick(515);
    expect(await down).toMatchObject({ sessionId: 'ws-1', willReconnect: true });
    expect(await up).toMatchObject({ sessionId: 'ws-1' });
    // A round trip on each connection: anything broadcast before it would have arrived by now
    await emitWithAck(narrowed, 'get_active_sessions');
    await emitWithAck(muted, 'get_active_sessions');
    expect(wrongly).toEqual([]);
  });

  it('stop_session stops it; get_available_sessions still lists it; load_sessions_from_storage brings it back', async () => {
    const socket = await client();
    await emitWithAck(socket, 'subscribe', { sessionId: 'ws-1' });
    const disconnected = nextEvent(socket, 'session_disconnected');
    const status = nextEvent<StatusPayload>(socket, 'session_status');
    const stopped = await emitWithAck(socket, 'stop_session', { sessionId: 'ws-1' });
    expect(stopped).toMatchObject({
      success: true,
      data: { status: 'disconnected', isActive: false },
    });
    expect(await disconnected).toMatchObject({
      sessionId: 'ws-1',
      reason: 'stopped',
      statusCode: null,
      willReconnect: false,
      loggedOut: false,
    });
    // One session_status shape: the full reply of get_session_status, plus what changed
    const change = await status;
    const reply = await emitWithAck<{ data: Record<string, unknown> }>(
      socket,
      'get_session_status',
      { sessionId: 'ws-1' },
    );
    expect(Object.keys(change).sort()).toEqual(
      [...Object.keys(reply.data), 'previousStatus', 'reason', 'at'].sort(),
    );
    expect(change).toMatchObject({
      status: 'disconnected',
      previousStatus: 'connected',
      reason: 'stopped',
      disconnectReason: 'stopped',
      isActive: false,
    });
    expect(change.disconnectedAt).toEqual(expect.any(String));
    expect(reply.data.disconnectedAt).toBe(change.disconnectedAt);

    const available = nextEvent<{ sessionId: string; isActive: boolean }[]>(
      socket,
      'available_sessions',
    );
    await emitWithAck(socket, 'get_available_sessions');
    expect(await available).toEqual([
      expect.objectContaining({ sessionId: 'ws-1', isActive: false }),
    ]);

    const connected = nextEvent(socket, 'session_connected');
    const loaded = await emitWithAck<{ success: boolean; data: { loaded: string[] } }>(
      socket,
      'load_sessions_from_storage',
    );
    expect(loaded).toMatchObject({ success: true, data: { loaded: ['ws-1'] } });
    expect(await connected).toMatchObject({ sessionId: 'ws-1' });
  });

  it('logout_session unlinks it: session_disconnected with loggedOut, status logged_out', async () => {
    const socket = await client();
    await emitWithAck(socket, 'subscribe', { sessionId: 'ws-1' });
    const unlinked = sim.waitFor('unlinked', (event) => event.phone === phone);
    const disconnected = nextEvent<{ loggedOut: boolean; willReconnect: boolean }>(
      socket,
      'session_disconnected',
      (event) => event.loggedOut,
    );
    const ack = await emitWithAck(socket, 'logout_session', { sessionId: 'ws-1' });
    expect(ack).toMatchObject({ success: true, data: { status: 'logged_out', isActive: false } });
    expect(await disconnected).toMatchObject({
      sessionId: 'ws-1',
      loggedOut: true,
      willReconnect: false,
    });
    expect((await unlinked).by).toBe('client');
  });

  it('answers bad payloads and unknown sessions with session_error and a failed ack', async () => {
    const socket = await client();
    for (const payload of [undefined, {}, { sessionId: 'bad id' }, 'not json', [1, 2]]) {
      const error = nextEvent<{ message: string }>(socket, 'session_error');
      const ack = await emitWithAck(socket, 'start_session', payload);
      expect(ack).toEqual({
        success: false,
        message: expect.stringMatching(/sessionId is required|Payload must be an object/),
      });
      expect((await error).message).toBe((ack as { message: string }).message);
    }
    const reserved = await emitWithAck(socket, 'start_session', { sessionId: 'all' });
    expect(reserved).toMatchObject({
      success: false,
      message: expect.stringContaining('reserved'),
    });
    const unknown = nextEvent<{ sessionId: string; message: string }>(socket, 'session_error');
    expect(await emitWithAck(socket, 'get_session_status', { sessionId: 'ghost' })).toEqual({
      success: false,
      message: 'Session not found',
    });
    expect(await unknown).toEqual({ sessionId: 'ghost', message: 'Session not found' });
  });
});

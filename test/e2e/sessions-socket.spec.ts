import type { Socket } from 'socket.io-client';
import type { WaSimulator } from '../wa-sim';
import { startGateway, startSimulator } from '../support/gateway-with-sim';
import { connectSocket, emitWithAck, nextEvent } from '../support/socket-client';
import type { TestApp } from '../support/test-app';
import { testTier } from '../support/test-database';

interface QrPayload {
  sessionId: string;
  qrCode: string;
  qrImage: string;
  expiresAt: string;
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

    const { qrCode, qrImage } = await qr;
    expect(qrImage).toMatch(/^data:image\/png;base64,/);
    const connected = nextEvent<{ sessionId: string; userInfo: Record<string, unknown> }>(
      socket,
      'session_connected',
    );
    const restarting = nextEvent<{ willReconnect: boolean; statusCode: number }>(
      socket,
      'session_disconnected',
    );
    const linked = await sim.scan(qrCode, { name: 'Olive' });
    phone = linked.phone;
    expect(await restarting).toMatchObject({
      sessionId: 'ws-1',
      statusCode: 515,
      willReconnect: true,
    });
    expect(await connected).toMatchObject({
      sessionId: 'ws-1',
      userInfo: { phoneNumber: phone, jid: linked.deviceJid, platform: 'android' },
    });
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

  it('a subscriber of every session ("*") sees another client\'s session events', async () => {
    const watcher = await client();
    expect(await emitWithAck(watcher, 'subscribe', { sessionId: '*' })).toMatchObject({
      success: true,
    });
    const down = nextEvent<{ sessionId: string; willReconnect: boolean }>(
      watcher,
      'session_disconnected',
    );
    const up = nextEvent<{ sessionId: string }>(watcher, 'session_connected');
    sim.account(phone).kick(515);
    expect(await down).toMatchObject({ sessionId: 'ws-1', willReconnect: true });
    expect(await up).toMatchObject({ sessionId: 'ws-1' });
  });

  it('stop_session stops it; get_available_sessions still lists it; load_sessions_from_storage brings it back', async () => {
    const socket = await client();
    await emitWithAck(socket, 'subscribe', { sessionId: 'ws-1' });
    const stopped = await emitWithAck(socket, 'stop_session', { sessionId: 'ws-1' });
    expect(stopped).toMatchObject({
      success: true,
      data: { status: 'disconnected', isActive: false },
    });

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

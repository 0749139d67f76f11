import { EventEmitter2 } from '@nestjs/event-emitter';
import { installTrustRoot, WaSimulator } from '../wa-sim';
import { runCurveSignaturesInMainRealm } from '../wa-sim/testing/main-realm-curve';
import {
  SessionConnectedEvent,
  SessionDisconnectedEvent,
  SessionEvents,
  SessionQrEvent,
  SessionStateChangedEvent,
} from '../../src/whatsapp/session-events';
import { nextSessionEvent, startGateway } from '../support/gateway-with-sim';
import type { TestApp } from '../support/test-app';
import { testTier } from '../support/test-database';

describe(`server certificate check and pairing by code (${testTier()})`, () => {
  let sim: WaSimulator;
  let gateway: TestApp;
  let untrust: (() => void) | undefined;

  let restoreCurve: () => void;

  beforeAll(async () => {
    sim = await WaSimulator.start();
    restoreCurve = runCurveSignaturesInMainRealm();
    gateway = await startGateway(sim);
  });
  afterAll(async () => {
    await gateway?.close();
    await sim?.stop();
    untrust?.();
    restoreCurve?.();
  });

  const post = (path: string, body?: unknown) => gateway.post(path, body);

  it('refuses a server whose certificate chain is not signed by a trusted root, then accepts it once trusted', async () => {
    const states: string[] = [];
    const record = (event: SessionStateChangedEvent): void => {
      if (event.sessionId === 'trust-1') {
        states.push(event.state);
      }
    };
    gateway.app.get(EventEmitter2).on(SessionEvents.StateChanged, record);
    const refused = nextSessionEvent<SessionDisconnectedEvent>(
      gateway,
      SessionEvents.Disconnected,
      'trust-1',
    );
    expect((await post('/sessions', { sessionId: 'trust-1' })).status).toBe(201);
    const failure = await refused;
    expect(failure.reason).toMatch(/noise (intermediate )?certificate/);
    expect(failure.willReconnect).toBe(true);
    expect((await post('/sessions/trust-1/stop')).status).toBe(200);
    gateway.app.get(EventEmitter2).off(SessionEvents.StateChanged, record);
    // The handshake never got far enough to show a QR code
    expect(states).not.toContain('qr_waiting');

    untrust = installTrustRoot(sim.rootPublicKey);
    const qr = nextSessionEvent<SessionQrEvent>(gateway, SessionEvents.Qr, 'trust-1');
    expect((await post('/sessions/trust-1/start')).status).toBe(200);
    expect((await qr).qr).toMatch(/#2@/);
  });

  it('links a number with a pairing code instead of a QR code', async () => {
    expect(untrust).toBeDefined();
    expect((await post('/sessions', { sessionId: 'code-1' })).status).toBe(201);
    const requested = sim.waitFor('pairing-code-requested');
    const response = await post('/sessions/code-1/pairing-code', {
      phoneNumber: '+62 812-0000-1111',
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      message: string;
      data: { pairingCode: string; phoneNumber: string };
    };
    expect(body.message).toBe('Pairing code generated');
    expect(body.data.phoneNumber).toBe('6281200001111');
    expect(body.data.pairingCode).toMatch(/^[A-Z0-9]{8}$/);
    expect((await requested).phone).toBe('6281200001111');

    const connected = nextSessionEvent<SessionConnectedEvent>(
      gateway,
      SessionEvents.Connected,
      'code-1',
    );
    await sim.enterPairingCode('6281200001111', body.data.pairingCode, { name: 'Coded' });
    expect((await connected).account).toMatchObject({ phoneNumber: '6281200001111' });
    const credentials = (await (await gateway.request('/sessions/code-1/credentials')).json()) as {
      data: { userInfo: { phoneNumber: string; registered: boolean } };
    };
    expect(credentials.data.userInfo.phoneNumber).toBe('6281200001111');
  });

  it('refuses a pairing code for a session that is already linked', async () => {
    const response = await post('/sessions/code-1/pairing-code', { phoneNumber: '6281200001111' });
    expect(response.status).toBe(409);
    expect(((await response.json()) as { message: string }).message).toMatch(/already linked/);
  });
});

import type { Socket } from 'socket.io-client';
import type { SimAccount, WaSimulator } from '../wa-sim';
import { SessionEvents } from '../../src/whatsapp/session-events';
import type { SessionConnectedEvent, SessionQrEvent } from '../../src/whatsapp/session-events';
import { nextSessionEvent, startGateway, startSimulator } from './gateway-with-sim';
import { connectSocket, emitWithAck } from './socket-client';
import type { TestApp } from './test-app';
import { createTestDatabase, type TestDatabase } from './test-database';

export interface Body<T = Record<string, unknown>> {
  success: boolean;
  message: string;
  data: T;
  meta?: { page: number; per_page: number; total: number; last_page: number };
  errors?: { field: string; messages: string[] }[];
}

export async function json<T = Record<string, unknown>>(response: Response): Promise<Body<T>> {
  return (await response.json()) as Body<T>;
}

/** Creates a session over REST, scans its QR with a new simulated phone, waits until connected. */
export async function linkSession(
  gateway: TestApp,
  sim: WaSimulator,
  sessionId: string,
  options: { contacts?: number; groups?: number } = {},
) {
  const qr = nextSessionEvent<SessionQrEvent>(gateway, SessionEvents.Qr, sessionId);
  const connected = nextSessionEvent<SessionConnectedEvent>(
    gateway,
    SessionEvents.Connected,
    sessionId,
  );
  const created = await gateway.post('/sessions', { sessionId });
  if (created.status !== 201) {
    throw new Error(`creating ${sessionId} answered ${created.status}`);
  }
  const linked = await sim.scan((await qr).qr, options);
  await connected;
  const account = sim.account(linked.phone);
  await account.waitForReady();
  return { linked, account };
}

/** A socket.io client subscribed to one session's room. */
export async function subscriber(gateway: TestApp, sessionId: string): Promise<Socket> {
  const socket = await connectSocket(gateway.url, { auth: { token: gateway.apiKey } });
  await emitWithAck(socket, 'subscribe', { sessionId });
  return socket;
}

export interface LinkedGateway {
  sim: WaSimulator;
  gateway: TestApp;
  account: SimAccount;
  /** Subscribed to the session's room. */
  socket: Socket;
}

/**
 * Jest lifecycle for a messaging spec: before all tests a simulator (trusted), a database, the
 * gateway (no pacing) and one linked session with a subscribed socket; all ended after.
 */
export function useLinkedGateway(sessionId: string, env: Record<string, string> = {}) {
  let linked: LinkedGateway | undefined;
  let untrust: (() => void) | undefined;
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    const started = await startSimulator();
    untrust = started.untrust;
    db = await createTestDatabase();
    const gateway = await startGateway(
      started.sim,
      { SEND_MIN_INTERVAL_MS: '0', SEND_JITTER_MS: '0', DEFAULT_COUNTRY_CODE: '1', ...env },
      db,
    );
    linked = { sim: started.sim, gateway } as LinkedGateway;
    ({ account: linked.account } = await linkSession(gateway, started.sim, sessionId));
    linked.socket = await subscriber(gateway, sessionId);
  });
  afterAll(async () => {
    linked?.socket?.close();
    await linked?.gateway.close();
    await linked?.sim.stop();
    untrust?.();
    await db?.drop();
  });
  return {
    get current(): LinkedGateway {
      if (!linked) {
        throw new Error('the gateway starts in beforeAll');
      }
      return linked;
    },
  };
}

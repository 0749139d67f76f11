import type { AuthenticationState } from '@whiskeysockets/baileys';
import type { LinkOptions, WaSimulator } from '../simulator';
import type { LinkInfo } from '../views';
import { createMemoryAuthState, TestClient, type TestClientOptions } from './baileys-client';

export interface LinkedClient {
  client: TestClient;
  auth: AuthenticationState;
  linked: LinkInfo;
}

/**
 * What an application does to link a session: connect, show the QR (the simulated phone scans
 * it), reconnect after the 515 restart, and wait for `connection: open` and the simulator's
 * end of login.
 */
export async function linkClient(
  sim: WaSimulator,
  link: LinkOptions = {},
  options: TestClientOptions & { timeoutMs?: number } = {},
): Promise<LinkedClient> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const auth = createMemoryAuthState();
  const pairing = TestClient.connect(sim.wsUrl, auth, options);
  const qr = await pairing.waitForQr(timeoutMs);
  const restart = pairing.waitForClose(timeoutMs);
  const linked = await sim.scan(qr, link);
  await restart;
  const ready = sim.account(linked.phone).waitForReady(timeoutMs);
  const client = TestClient.connect(sim.wsUrl, auth, options);
  try {
    await Promise.all([client.waitForOpen(timeoutMs), ready]);
  } catch (error) {
    client.end();
    throw error;
  }
  return { client, auth, linked };
}

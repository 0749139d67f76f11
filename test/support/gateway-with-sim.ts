import { EventEmitter2 } from '@nestjs/event-emitter';
import {
  installMediaTrust,
  installTrustRoot,
  WaSimulator,
  type WaSimulatorOptions,
} from '../wa-sim';
import { runCurveSignaturesInMainRealm } from '../wa-sim/testing/main-realm-curve';
import { SessionEvents } from '../../src/whatsapp/session-events';
import { nextEmitted } from './next-emitted';
import { startTestApp, TestApp, type TestAppOptions } from './test-app';
import type { TestDatabase } from './test-database';

/** Fast reconnects for tests; the policy itself is unit tested with the real defaults. */
export const TEST_WA_ENV = {
  WA_RECONNECT_BASE_DELAY_MS: '200',
  WA_RECONNECT_MAX_DELAY_MS: '1000',
  WA_RECONNECT_MAX_ATTEMPTS: '5',
};

/**
 * Starts a simulator and makes this process's Baileys trust it and its media host's test CA. Signal
 * signatures run on the libsignal loaded outside Jest's sandbox, where they are ~10x faster.
 */
export async function startSimulator(
  options: WaSimulatorOptions = {},
): Promise<{ sim: WaSimulator; untrust: () => void }> {
  const sim = await WaSimulator.start(options);
  const untrustRoot = installTrustRoot(sim.rootPublicKey);
  const untrustMedia = installMediaTrust();
  const restoreCurve = runCurveSignaturesInMainRealm();
  return {
    sim,
    untrust: () => {
      untrustRoot();
      untrustMedia();
      restoreCurve();
    },
  };
}

/** The real app, pointed at the simulator. */
export function startGateway(
  sim: WaSimulator,
  env: Record<string, string> = {},
  db?: TestDatabase,
  options?: TestAppOptions,
): Promise<TestApp> {
  return startTestApp({ WA_WS_URL: sim.wsUrl, ...TEST_WA_ENV, ...env }, db, options);
}

type SessionEventName = (typeof SessionEvents)[keyof typeof SessionEvents];

/**
 * Resolves with the next domain event `name` for `sessionId` matching `predicate`. Register it
 * before triggering the action that causes the event.
 */
export function nextSessionEvent<T extends { sessionId: string }>(
  gateway: TestApp,
  name: SessionEventName,
  sessionId: string,
  predicate: (event: T) => boolean = () => true,
  timeoutMs = 20_000,
): Promise<T> {
  return nextEmitted<T>(
    gateway.app.get(EventEmitter2),
    name,
    (event) => event.sessionId === sessionId && predicate(event),
    timeoutMs,
    `${name} of ${sessionId}`,
  );
}

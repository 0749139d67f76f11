import { installMediaTrust } from '../media/media-trust';
import { installTrustRoot } from '../trust-root';
import { WaSimulator, type WaSimulatorOptions } from '../simulator';
import type { TestClient } from './baileys-client';
import { runCurveSignaturesInMainRealm } from './main-realm-curve';

export interface SimFixture {
  readonly sim: WaSimulator;
  /** Clients to end after the tests (register every client you connect). */
  track<T extends TestClient>(client: T): T;
}

/**
 * Jest lifecycle for a spec file: a simulator started before all tests (its root trusted by the
 * Baileys of this test file, its media host's test CA by this process), stopped after; tracked
 * clients ended.
 */
export function useSimulator(options: WaSimulatorOptions = {}, trust = true): SimFixture {
  let sim: WaSimulator | undefined;
  const clients: TestClient[] = [];
  const undo: Array<() => void> = [];
  beforeAll(async () => {
    undo.push(runCurveSignaturesInMainRealm());
    sim = await WaSimulator.start(options);
    if (trust) {
      undo.push(installTrustRoot(sim.rootPublicKey), installMediaTrust());
    }
  });
  afterAll(async () => {
    clients.forEach((client) => client.end());
    await sim?.stop();
    undo.reverse().forEach((step) => step());
  });
  return {
    get sim(): WaSimulator {
      if (!sim) {
        throw new Error('the simulator starts in beforeAll');
      }
      return sim;
    },
    track: (client) => {
      clients.push(client);
      return client;
    },
  };
}

/** Helpers for tests that drive Baileys clients against the simulator (Jest or tsx). */
export {
  createMemoryAuthState,
  disconnectCode,
  TestClient,
  textOf,
  type TestClientOptions,
} from './baileys-client';
export { linkClient, type LinkedClient } from './link-client';
export { runCurveSignaturesInMainRealm } from './main-realm-curve';

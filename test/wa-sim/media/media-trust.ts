import { readFileSync } from 'node:fs';
import https from 'node:https';
import Module from 'node:module';
import { rootCertificates } from 'node:tls';
import { MEDIA_CA_FILE } from './media-host';

interface UndiciGlobals {
  Agent: new (options: { connect: { ca: string[] } }) => { close(): Promise<void> };
  getGlobalDispatcher(): unknown;
  setGlobalDispatcher(dispatcher: unknown): void;
}

/**
 * Makes this process trust the simulator's media host, as installing a test CA would: Node's
 * default root certificates plus the test CA, for the `https` global agent (Baileys uploads with
 * `https.request`) and for the global `fetch` dispatcher (Baileys downloads with `fetch`).
 * Certificates are still verified. Tests only; returns the undo function. A child process gets
 * the same with `NODE_EXTRA_CA_CERTS=<MEDIA_CA_FILE>`.
 */
export function installMediaTrust(): () => void {
  const ca = [...rootCertificates, readFileSync(MEDIA_CA_FILE, 'utf8')];
  const agentOptions = https.globalAgent.options as { ca?: unknown };
  const previousCa = agentOptions.ca;
  agentOptions.ca = ca;
  // Node's fetch reads its dispatcher from the main realm's globalThis, not from Jest's sandbox
  const loader = Module as unknown as {
    _load(request: string, parent: null, isMain: boolean): unknown;
  };
  const undici = loader._load(require.resolve('undici'), null, false) as UndiciGlobals;
  const previousDispatcher = undici.getGlobalDispatcher();
  const agent = new undici.Agent({ connect: { ca } });
  undici.setGlobalDispatcher(agent);
  return () => {
    agentOptions.ca = previousCa;
    undici.setGlobalDispatcher(previousDispatcher);
    void agent.close();
  };
}

// Loads first: lets tsx resolve Baileys' ESM-only dependencies (see the module).
import './tsx-esm-resolve';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { keyPairFromPrivateKey } from './transport/certificates';
import { WaSimulator } from './simulator';

/**
 * `npm run sim [-- --port 8780 --http-port 8781 --host 127.0.0.1 --idle-timeout-ms 70000]`: starts the simulator with its
 * JSON control API and prints one JSON line on stdout:
 *   {"ws":"ws://127.0.0.1:P","http":"http://127.0.0.1:Q","rootPublicKeyHex":"...","media":"https://127.0.0.1:R","mediaCaFile":"/…/ca.pem"}
 * Logs go to stderr (LOG_LEVEL, default info). WA_SIM_ROOT_PRIVATE_KEY (64 hex) fixes the root key
 * so the printed public key stays the same across restarts.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: process.env.WA_SIM_HOST ?? '127.0.0.1' },
      port: { type: 'string', default: process.env.WA_SIM_PORT ?? '0' },
      'http-port': { type: 'string', default: process.env.WA_SIM_HTTP_PORT ?? '0' },
      // cut connections silent this long (a SIGSTOPped client); the simulator's default if unset
      'idle-timeout-ms': { type: 'string', default: process.env.WA_SIM_IDLE_TIMEOUT_MS },
    },
  });
  const rootPrivateKey = process.env.WA_SIM_ROOT_PRIVATE_KEY?.trim();
  if (rootPrivateKey && !/^[0-9a-fA-F]{64}$/.test(rootPrivateKey)) {
    throw new Error('WA_SIM_ROOT_PRIVATE_KEY must be 64 hex characters');
  }
  const logger = pino(
    { level: process.env.LOG_LEVEL ?? 'info', base: { name: 'wa-sim' } },
    pino.destination(2),
  );
  const sim = await WaSimulator.start({
    host: values.host,
    port: Number(values.port),
    http: { port: Number(values['http-port']) },
    logger,
    idleTimeoutMs:
      values['idle-timeout-ms'] === undefined ? undefined : Number(values['idle-timeout-ms']),
    rootKeyPair: rootPrivateKey
      ? keyPairFromPrivateKey(Buffer.from(rootPrivateKey, 'hex'))
      : undefined,
  });
  process.stdout.write(
    `${JSON.stringify({ ws: sim.wsUrl, http: sim.httpUrl, rootPublicKeyHex: sim.rootPublicKeyHex, media: sim.media.baseUrl, mediaCaFile: sim.mediaCaFile })}\n`,
  );
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    logger.info({ signal }, 'stopping');
    sim.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `wa-sim failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});

// Loads first: lets tsx resolve Baileys' ESM-only dependencies (see the module).
import '../wa-sim/tsx-esm-resolve';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { io } from 'socket.io-client';
import { WaSimulator } from '../wa-sim';

/**
 * `npm run demo [-- --port 3100]`: a connected WhatsApp number in one command, without a phone.
 * Starts the WhatsApp Web simulator and the built gateway wired to it (its own data folder, a free
 * port unless given), creates the session `demo`, links it to a simulated phone with contacts and
 * groups, and prints what to try next. Ctrl-C (or SIGTERM) stops both and removes the data folder.
 */

const ROOT = resolve(__dirname, '..', '..');
const SESSION_ID = 'demo';
const PHONE_NAME = 'Demo Phone';

interface Args {
  port: number;
  keep: boolean;
}

function args(): Args {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env.DEMO_PORT ?? '' },
      'keep-data': { type: 'boolean', default: false },
    },
  });
  const port = values.port ? Number(values.port) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be a port number, got ${values.port}`);
  }
  return { port, keep: values['keep-data'] };
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

function waitForListening(child: ChildProcess, logFile: string): Promise<void> {
  return new Promise((done, fail) => {
    let buffered = '';
    const onData = (chunk: Buffer): void => {
      buffered = (buffered + chunk.toString()).slice(-4096);
      if (buffered.includes('listening on http')) {
        child.stdout?.off('data', onData);
        done();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) =>
      fail(new Error(`the gateway exited with ${code}; see ${logFile}`)),
    );
  });
}

async function main(): Promise<void> {
  const { port: askedPort, keep } = args();
  const port = askedPort || (await freePort());
  const dataDir = mkdtempSync(join(tmpdir(), 'wa-gateway-demo-'));
  const apiKey = `demo_${randomBytes(24).toString('base64url')}`;
  const sim = await WaSimulator.start({ http: true });
  const logFile = join(dataDir, 'gateway.log');
  const log = createWriteStream(logFile);

  const gateway = spawn(
    process.execPath,
    ['-r', join(ROOT, 'test', 'wa-sim', 'trust-root.js'), join(ROOT, 'dist', 'src', 'main.js')],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: String(port),
        DATA_DIR: dataDir,
        DB_TYPE: 'sqlite',
        API_KEY: apiKey,
        WA_WS_URL: sim.wsUrl,
        WA_SIM_ROOT_PUBLIC_KEY: sim.rootPublicKeyHex,
        // the simulator's media host has a certificate of its own test CA
        NODE_EXTRA_CA_CERTS: sim.mediaCaFile,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  gateway.stdout.pipe(log);
  gateway.stderr.pipe(log);

  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) {
      return;
    }
    stopping = true;
    if (gateway.exitCode === null && gateway.signalCode === null) {
      const exited = new Promise((done) => gateway.once('exit', done));
      gateway.kill('SIGTERM');
      await exited;
    }
    await sim.stop();
    log.end();
    if (!keep) {
      rmSync(dataDir, { recursive: true, force: true });
    }
    process.exit(code);
  };
  // `on`, not `once`: npm and a terminal may both deliver the signal; a second one must not kill
  // this process before the gateway has stopped
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  gateway.once('exit', (code) => {
    if (!stopping) {
      process.stderr.write(`the gateway exited with ${code}; its log: ${logFile}\n`);
      void stop(1);
    }
  });

  await waitForListening(gateway, logFile);
  const url = `http://127.0.0.1:${port}`;
  const headers = { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' };

  // Listen before creating the session, so the first QR code is not missed
  const socket = io(url, { path: '/ws', auth: { token: apiKey }, transports: ['websocket'] });
  const qr = new Promise<string>((done) =>
    socket.on('qr_code', (event: { sessionId: string; qr: string }) => {
      if (event.sessionId === SESSION_ID) {
        done(event.qr);
      }
    }),
  );
  const connected = new Promise<{ phoneNumber: string; name: string | null }>((done) =>
    socket.on(
      'session_connected',
      (event: { sessionId: string; userInfo: { phoneNumber: string; name: string | null } }) => {
        if (event.sessionId === SESSION_ID) {
          done(event.userInfo);
        }
      },
    ),
  );
  const created = await fetch(`${url}/sessions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ sessionId: SESSION_ID, name: 'Demo' }),
  });
  if (!created.ok) {
    throw new Error(`creating the session failed: ${created.status} ${await created.text()}`);
  }
  const linked = await sim.scan(await qr, {
    name: PHONE_NAME,
    contacts: 25,
    groups: 4,
    participantsPerGroup: 6,
  });
  const account = await connected;
  socket.close();
  const friend = sim.account(linked.phone).contacts[0];

  const k = `-H 'Authorization: Bearer ${apiKey}'`;
  const lines = [
    '',
    'wa-gateway demo: a simulated phone is linked as session "demo".',
    '',
    `  Gateway      ${url}/`,
    `  Swagger UI   ${url}/docs`,
    `  API key      ${apiKey}`,
    `  Linked as    +${account.phoneNumber} (${account.name ?? PHONE_NAME})`,
    `  Simulator    ${sim.httpUrl}  (control API: make contacts write to the phone)`,
    `  Data folder  ${dataDir}${keep ? '' : ' (removed on exit)'}`,
    `  Gateway log  ${logFile}`,
    '',
    'Try:',
    `  curl ${k} ${url}/sessions/demo/credentials`,
    `  curl ${k} -H 'Content-Type: application/json' -d '{"to":"${friend?.pn ?? '6281200000001'}","message":"Hello from wa-gateway"}' ${url}/sessions/demo/messages`,
    `  curl ${k} ${url}/api/sessions/demo/grab-all`,
    `  curl ${k} '${url}/api/sessions/demo/contacts?type=individual'`,
    `  curl -H 'Content-Type: application/json' -d '{"from":"${friend?.pn ?? ''}","text":"Hi!"}' ${sim.httpUrl}/accounts/${linked.phone}/inbound`,
    '',
    'Press Ctrl-C to stop.',
    '',
    `Demo ready: ${url} (key ${apiKey})`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

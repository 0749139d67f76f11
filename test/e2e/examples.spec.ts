import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { WaSimulator } from '../wa-sim';
import { SessionEvents, SessionQrEvent } from '../../src/whatsapp/session-events';
import { nextSessionEvent, startGateway, startSimulator } from '../support/gateway-with-sim';
import type { TestApp } from '../support/test-app';
import { testTier } from '../support/test-database';

const run = promisify(execFile);
const EXAMPLES = join(__dirname, '..', '..', 'examples');

/** examples/: seed 004's curl, JavaScript and Python examples, run as a user would run them. */
describe(`the examples in examples/ (${testTier()})`, () => {
  let sim: WaSimulator;
  let untrust: () => void;
  let gateway: TestApp;
  let env: Record<string, string>;
  let phone: string;

  beforeAll(async () => {
    ({ sim, untrust } = await startSimulator());
    gateway = await startGateway(sim, { SEND_MIN_INTERVAL_MS: '0', SEND_JITTER_MS: '0' });
    const qr = nextSessionEvent<SessionQrEvent>(gateway, SessionEvents.Qr, 'ex-1');
    await gateway.post('/sessions', { sessionId: 'ex-1' });
    const connected = nextSessionEvent(gateway, SessionEvents.Connected, 'ex-1');
    const linked = await sim.scan((await qr).qr, { name: 'Example', contacts: 4, groups: 2 });
    await connected;
    phone = linked.phone;
    env = {
      PATH: process.env.PATH ?? '',
      BASE_URL: gateway.url,
      API_KEY: gateway.apiKey,
      SESSION_ID: 'ex-1',
      TO: linked.contacts[0].pn,
    };
  });
  afterAll(async () => {
    await gateway?.close();
    await sim?.stop();
    untrust?.();
  });

  async function example(command: string, args: string[], text: string): Promise<string> {
    const delivered = sim.account(phone).waitForMessage((message) => message.text === text, 30_000);
    const { stdout } = await run(command, args, { env, timeout: 60_000 });
    await delivered;
    return stdout;
  }

  it('curl.sh: credentials, send, grab', async () => {
    const out = await example('bash', [join(EXAMPLES, 'curl.sh')], 'Hello from curl');
    expect(out).toContain('"phoneNumber":"' + phone + '"');
    expect(out).toContain('Semua kontak berhasil diambil dan disimpan');
  });

  it('credentials.mjs (fetch): phone numbers, credentials, send, grab', async () => {
    const out = await example(
      process.execPath,
      [join(EXAMPLES, 'credentials.mjs')],
      'Hello from JavaScript',
    );
    expect(out).toContain(`Example (${phone}) - Active`);
    expect(out).toMatch(/Grabbed 2 groups and \d+ contacts/);
  });

  it('credentials.py (standard library): phone numbers, credentials, send, grab', async () => {
    const out = await example('python3', [join(EXAMPLES, 'credentials.py')], 'Hello from Python');
    expect(out).toContain(`'phoneNumber': '${phone}'`);
    expect(out).toMatch(/Grabbed 2 groups and \d+ contacts/);
  });
});

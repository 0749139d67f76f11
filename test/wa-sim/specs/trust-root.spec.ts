import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WA_CERT_DETAILS } from '@whiskeysockets/baileys';
import { installTrustRoot, restoreWhatsAppTrustRoot, WaSimulator } from '../index';
import { createMemoryAuthState, TestClient } from '../testing/baileys-client';
import { useSimulator } from '../testing/sim-fixture';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..', '..');
const PRELOAD = './test/wa-sim/trust-root.js';
const WHATSAPP_ROOT = '142375574d0a587166aae71ebe516437c4a28b73e3695c6ce1f7f9545da8ee6b';

/** Runs `node [-r trust-root.js] script` in the repository root with extra environment. */
async function node(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

const PRINT_ROOT = [
  '-r',
  PRELOAD,
  '-e',
  "console.log(require('@whiskeysockets/baileys').WA_CERT_DETAILS.PUBLIC_KEY.toString('hex'))",
];

describe('WhatsApp Web simulator: trust root', () => {
  const fixture = useSimulator({}, false);

  afterEach(() => restoreWhatsAppTrustRoot());

  it('is refused by a client that trusts only WhatsApp (the noise certificate does not verify)', async () => {
    expect(Buffer.from(WA_CERT_DETAILS.PUBLIC_KEY).toString('hex')).toBe(WHATSAPP_ROOT);
    let registrations = 0;
    const stopCounting = fixture.sim.on('pairing-requested', () => registrations++);
    const closedOnServer = fixture.sim.waitFor('closed');
    const client = fixture.track(TestClient.connect(fixture.sim.wsUrl, createMemoryAuthState()));
    expect(await client.waitForClose()).toBe(400);
    expect((await closedOnServer).reason).toBe('client');
    stopCounting();
    expect(registrations).toBe(0);
  });

  it('is refused by a client that trusts another simulator', async () => {
    const other = await WaSimulator.start();
    try {
      installTrustRoot(other.rootPublicKeyHex);
      const client = fixture.track(TestClient.connect(fixture.sim.wsUrl, createMemoryAuthState()));
      expect(await client.waitForClose()).toBe(400);
    } finally {
      await other.stop();
    }
  });

  it('is accepted once its root is installed', async () => {
    installTrustRoot(fixture.sim.rootPublicKey);
    const client = fixture.track(TestClient.connect(fixture.sim.wsUrl, createMemoryAuthState()));
    expect(await client.waitForQr()).toMatch(/^https:\/\/wa\.me\/settings\/linked_devices#2@/);
  });

  describe('preload for another process (node -r test/wa-sim/trust-root.js)', () => {
    it('installs WA_SIM_ROOT_PUBLIC_KEY, and does nothing when it is unset', async () => {
      const [installed, unset] = await Promise.all([
        node(PRINT_ROOT, { WA_SIM_ROOT_PUBLIC_KEY: fixture.sim.rootPublicKeyHex }),
        node(PRINT_ROOT, { WA_SIM_ROOT_PUBLIC_KEY: '' }),
      ]);
      expect(installed.stdout.trim()).toBe(fixture.sim.rootPublicKeyHex);
      expect(unset.stdout.trim()).toBe(WHATSAPP_ROOT);
    });

    it('refuses to start with a malformed key', async () => {
      const result = await node(PRINT_ROOT, { WA_SIM_ROOT_PUBLIC_KEY: 'not-a-key' });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('WA_SIM_ROOT_PUBLIC_KEY must be');
    });

    it('lets a Baileys client in that process reach the QR stage', async () => {
      const args = ['-r', PRELOAD, './test/wa-sim/testing/child-qr-client.js'];
      const [trusted, untrusted] = await Promise.all([
        node(args, {
          WA_SIM_ROOT_PUBLIC_KEY: fixture.sim.rootPublicKeyHex,
          WA_SIM_WS_URL: fixture.sim.wsUrl,
        }),
        node(args, { WA_SIM_ROOT_PUBLIC_KEY: '', WA_SIM_WS_URL: fixture.sim.wsUrl }),
      ]);
      expect(trusted.code).toBe(0);
      expect(JSON.parse(trusted.stdout)).toEqual({
        qr: expect.stringContaining('linked_devices#'),
      });
      expect(untrusted.code).toBe(2);
    });
  });
});

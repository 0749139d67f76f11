import { DisconnectReason } from '@whiskeysockets/baileys';
import { PairingError } from '../index';
import { createMemoryAuthState, TestClient } from '../testing/baileys-client';
import { useSimulator } from '../testing/sim-fixture';

describe('WhatsApp Web simulator: pairing by phone-number code', () => {
  const fixture = useSimulator();

  const requestCode = async (phone: string) => {
    const auth = createMemoryAuthState();
    const client = fixture.track(TestClient.connect(fixture.sim.wsUrl, auth));
    await client.waitForQr(); // registration started: the code can be requested
    const code = await client.sock.requestPairingCode(phone);
    return { auth, client, code };
  };

  it('links when the phone enters the code the client shows, then logs in', async () => {
    const phone = '4915112345678';
    const { auth, client, code } = await requestCode(phone);
    expect(code).toMatch(/^[A-Z0-9]{8}$/);
    const restart = client.waitForClose();
    const linked = await fixture.sim.enterPairingCode(phone, code, { name: 'Code Phone' });
    expect(linked.phone).toBe(phone);
    expect(await restart).toBe(DisconnectReason.restartRequired);
    expect(auth.creds.me?.id).toBe(linked.deviceJid);

    const again = fixture.track(TestClient.connect(fixture.sim.wsUrl, auth));
    await again.waitForOpen();
    await fixture.sim.account(phone).waitForReady();
    const upsert = again.waitForEvent('messages.upsert', ({ messages }) =>
      messages.some((message) => message.message?.conversation === 'linked by code'),
    );
    await fixture.sim.account(phone).sendText(linked.contacts[0].pn, 'linked by code');
    await upsert;
  });

  it('rejects a wrong code', async () => {
    const phone = '4915187654321';
    const { code } = await requestCode(phone);
    const wrong = code.startsWith('A') ? `B${code.slice(1)}` : `A${code.slice(1)}`;
    await expect(fixture.sim.enterPairingCode(phone, wrong)).rejects.toThrow(PairingError);
    expect(fixture.sim.account(phone).devices).toEqual([]);
  });
});

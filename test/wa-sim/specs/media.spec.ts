import { randomBytes } from 'node:crypto';
import { Agent, request } from 'undici';
import { downloadMediaMessage, type WAMessage } from '@whiskeysockets/baileys';
import {
  decryptMedia,
  encryptMedia,
  MediaIntegrityError,
  type LinkInfo,
  type WaSimulator,
} from '../index';
import { linkClient } from '../testing/link-client';
import type { TestClient } from '../testing/baileys-client';
import { useSimulator } from '../testing/sim-fixture';

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

describe('WhatsApp Web simulator: media (media_conn, HTTPS media host, encryption)', () => {
  const fixture = useSimulator();
  let sim: WaSimulator;
  let client: TestClient;
  let linked: LinkInfo;

  beforeAll(async () => {
    sim = fixture.sim;
    ({ client, linked } = await linkClient(sim));
    fixture.track(client);
  });

  it('answers media_conn and takes the upload of an image, which the contact decrypts byte-equal', async () => {
    const to = linked.contacts[0];
    const sent = await client.sock.sendMessage(to.jid, {
      image: PNG,
      caption: 'a pixel',
      mimetype: 'image/png',
    });
    const received = await sim.account(linked.phone).waitForMessage((m) => m.id === sent!.key.id);
    expect(received.media).toMatchObject({
      type: 'image',
      mimetype: 'image/png',
      caption: 'a pixel',
      fileLength: PNG.length,
    });
    expect(received.media?.error).toBeUndefined();
    expect(received.media?.data?.equals(PNG)).toBe(true);
    expect(received.text).toBe('a pixel');
    expect(sim.unhandledIqs.filter((iq) => iq.xmlns === 'w:m')).toEqual([]);
    expect(sim.media.uploadCount).toBeGreaterThanOrEqual(1);
  });

  it('carries a document with its file name and a voice note (several AES blocks)', async () => {
    const to = linked.contacts[1];
    const file = randomBytes(300_001);
    const doc = await client.sock.sendMessage(to.jid, {
      document: file,
      fileName: 'report.bin',
      mimetype: 'application/octet-stream',
    });
    const voice = await client.sock.sendMessage(to.jid, {
      audio: file.subarray(0, 4_000),
      ptt: true,
      mimetype: 'audio/ogg; codecs=opus',
    });
    const account = sim.account(linked.phone);
    const gotDoc = await account.waitForMessage((m) => m.id === doc!.key.id);
    const gotVoice = await account.waitForMessage((m) => m.id === voice!.key.id);
    expect(gotDoc.media).toMatchObject({ type: 'document', fileName: 'report.bin' });
    expect(gotDoc.media?.data?.equals(file)).toBe(true);
    expect(gotVoice.media).toMatchObject({ type: 'audio', ptt: true });
    expect(gotVoice.media?.data?.equals(file.subarray(0, 4_000))).toBe(true);
  });

  it('sends an image from a contact that Baileys downloads over HTTPS and decrypts', async () => {
    const from = linked.contacts[2];
    const upsert = client.waitForEvent('messages.upsert', ({ messages }) =>
      messages.some((m) => m.message?.imageMessage?.caption === 'from the phone'),
    );
    const { id, message } = await sim.account(linked.phone).sendMedia(from.pn, {
      type: 'image',
      data: PNG,
      mimetype: 'image/png',
      caption: 'from the phone',
    });
    const got = (await upsert).messages.find((m) => m.key.id === id) as WAMessage;
    expect(got.message?.imageMessage?.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v\//);
    const bytes = await downloadMediaMessage(got, 'buffer', {});
    expect(Buffer.compare(bytes, PNG)).toBe(0);

    sim.media.expire(message.imageMessage!.directPath!);
    await expect(downloadMediaMessage(got, 'buffer', {})).rejects.toMatchObject({
      output: { statusCode: 404 },
    });
  });

  it('refuses an upload without the media_conn token, over a certificate of the test CA', async () => {
    const response = await fetch(`${sim.media.baseUrl}/mms/image/abc?auth=wrong&token=abc`, {
      method: 'POST',
      body: 'x',
    });
    expect(response.status).toBe(401);
  });

  it('is not trusted without the test CA (certificates are verified)', async () => {
    const untrusting = new Agent();
    await expect(
      request(`${sim.media.baseUrl}/anything`, { dispatcher: untrusting }),
    ).rejects.toThrow(/certificate/i);
    await untrusting.close();
  });

  it('refuses tampered media: MAC, hashes', () => {
    const encrypted = encryptMedia(PNG, 'image');
    const expected = {
      mediaKey: encrypted.mediaKey,
      fileEncSha256: encrypted.fileEncSha256,
      fileSha256: encrypted.fileSha256,
    };
    expect(decryptMedia(encrypted.encrypted, 'image', expected).equals(PNG)).toBe(true);
    const flipped = Buffer.from(encrypted.encrypted);
    flipped[0] ^= 1;
    expect(() => decryptMedia(flipped, 'image', { mediaKey: encrypted.mediaKey })).toThrow(
      MediaIntegrityError,
    );
    expect(() => decryptMedia(flipped, 'image', expected)).toThrow(/fileEncSha256/);
    expect(() =>
      decryptMedia(encrypted.encrypted, 'document', { mediaKey: encrypted.mediaKey }),
    ).toThrow(/MAC/);
  });
});

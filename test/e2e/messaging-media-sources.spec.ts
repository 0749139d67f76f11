import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimAccount, WaSimulator } from '../wa-sim';
import { startGateway, startSimulator } from '../support/gateway-with-sim';
import { json, linkSession } from '../support/messaging-harness';
import type { TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase, testTier } from '../support/test-database';

const SESSION = 'media-src-1';
const MAX_BYTES = 4096;

/**
 * Where media may come from, as the REST route enforces it: MEDIA_DIR confinement, the size
 * limit (413) for every source, bad base64. Refused before anything is queued or sent.
 */
describe(`media sources on POST /sessions/:id/messages (${testTier()})`, () => {
  let sim: WaSimulator;
  let untrust: () => void;
  let db: TestDatabase;
  let gateway: TestApp;
  let account: SimAccount;
  let root: string;
  let mediaDir: string;
  let to: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'media-e2e-'));
    mediaDir = join(root, 'media');
    await mkdir(mediaDir);
    await writeFile(join(root, 'secret.txt'), 'not for WhatsApp');
    await symlink(join(root, 'secret.txt'), join(mediaDir, 'link.txt'));
    await writeFile(join(mediaDir, 'big.bin'), Buffer.alloc(MAX_BYTES + 1));
    ({ sim, untrust } = await startSimulator());
    db = await createTestDatabase();
    gateway = await startGateway(
      sim,
      {
        SEND_MIN_INTERVAL_MS: '0',
        SEND_JITTER_MS: '0',
        DEFAULT_COUNTRY_CODE: '1',
        MEDIA_DIR: mediaDir,
        MEDIA_MAX_BYTES: String(MAX_BYTES),
      },
      db,
    );
    ({ account } = await linkSession(gateway, sim, SESSION));
    to = account.contacts[0].pn;
  });
  afterAll(async () => {
    await gateway?.close();
    await sim?.stop();
    untrust?.();
    await db?.drop();
    await rm(root, { recursive: true, force: true });
  });

  async function send(body: Record<string, unknown>) {
    const response = await gateway.post(`/sessions/${SESSION}/messages`, body);
    return { status: response.status, body: await json(response) };
  }

  async function queueLength(): Promise<number> {
    const response = await gateway.request(`/sessions/${SESSION}/queue`);
    return (await json<{ queueLength: number }>(response)).data.queueLength;
  }

  it.each([
    ['a .. path', '../secret.txt', /may not contain "\.\."/],
    ['an absolute path outside MEDIA_DIR', '/etc/hostname', /inside MEDIA_DIR/],
    ['a symlink that resolves outside MEDIA_DIR', 'link.txt', /resolves outside/],
  ])('refuses %s with 400 in the envelope', async (_what, media, reason) => {
    const { status, body } = await send({ to, type: 'document', media });
    expect(status).toBe(400);
    expect(body).toMatchObject({ success: false, message: 'Validation failed' });
    expect(body.errors).toEqual([{ field: 'media', messages: [expect.stringMatching(reason)] }]);
    expect(await queueLength()).toBe(0);
  });

  it('refuses bad base64 with 400', async () => {
    const { status, body } = await send({ to, type: 'image', media: 'data:image/png;base64,@@' });
    expect(status).toBe(400);
    expect(body.errors?.[0]).toMatchObject({ field: 'media' });
    expect(body.errors?.[0].messages[0]).toMatch(/base64/);
  });

  it('asks for media when a media type has none', async () => {
    const { status, body } = await send({ to, type: 'video' });
    expect(status).toBe(400);
    expect(body.errors?.[0]).toMatchObject({ field: 'media' });
  });

  it.each([
    ['base64', () => Buffer.alloc(MAX_BYTES + 1).toString('base64')],
    ['a file in MEDIA_DIR', () => 'big.bin'],
  ])('answers 413 in the envelope for oversized media from %s', async (_what, media) => {
    const { status, body } = await send({ to, type: 'document', media: media() });
    expect(status).toBe(413);
    expect(body).toEqual({
      success: false,
      message: `The media is larger than MEDIA_MAX_BYTES (${MAX_BYTES} bytes)`,
    });
  });

  it('answers 413 in the envelope for an oversized multipart upload', async () => {
    const form = new FormData();
    form.set('to', to);
    form.set('type', 'document');
    form.set('file', new Blob([Buffer.alloc(MAX_BYTES + 1)]), 'big.bin');
    const response = await gateway.request(`/sessions/${SESSION}/messages`, {
      method: 'POST',
      body: form,
    });
    expect(response.status).toBe(413);
    expect(await json(response)).toEqual({
      success: false,
      message: `The uploaded file is larger than MEDIA_MAX_BYTES (${MAX_BYTES} bytes)`,
    });
    expect(await queueLength()).toBe(0);
  });

  it('refuses an upload for a type that is not media', async () => {
    const form = new FormData();
    form.set('to', to);
    form.set('type', 'text');
    form.set('message', 'hi');
    form.set('file', new Blob([Buffer.from('hello')]), 'a.txt');
    const response = await gateway.request(`/sessions/${SESSION}/messages`, {
      method: 'POST',
      body: form,
    });
    expect(response.status).toBe(400);
    expect((await json(response)).errors?.[0]).toMatchObject({ field: 'file' });
  });
});

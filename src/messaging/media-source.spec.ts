import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig } from '../config/app-config';
import { isPrivateAddress } from './public-address-guard';
import { DomainError } from '../common/errors/domain-errors';
import { decodeBase64, MediaSource } from './media-source.service';

// the smallest valid PNG: 1x1, transparent
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

async function failure(promise: Promise<unknown>): Promise<{ status: number; text: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) {
      const fields = (error.fieldErrors ?? []).flatMap((field) => field.messages).join(' ');
      return { status: error.status, text: `${error.message} ${fields}` };
    }
    throw error;
  }
  throw new Error('expected the media to be refused');
}

describe('MediaSource', () => {
  let root: string;
  let mediaDir: string;
  let outside: string;
  let source: MediaSource;
  let server: Server;
  let base: string;
  let served: number;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'media-source-'));
    mediaDir = join(root, 'media');
    outside = join(root, 'secret.png');
    await mkdir(join(mediaDir, 'photos'), { recursive: true });
    await writeFile(join(mediaDir, 'photos', 'dot.png'), PNG);
    await writeFile(join(mediaDir, 'big.bin'), Buffer.alloc(2048));
    await writeFile(outside, PNG);
    await symlink(outside, join(mediaDir, 'escape.png'));
    await symlink(root, join(mediaDir, 'up'));
    source = new MediaSource(
      AppConfig.fromEnv({
        MEDIA_DIR: mediaDir,
        MEDIA_MAX_BYTES: '1024',
        MEDIA_FETCH_TIMEOUT_MS: '300',
        MEDIA_FETCH_MAX_REDIRECTS: '2',
        // the test server listens on 127.0.0.1
        MEDIA_URL_ALLOW_PRIVATE: 'true',
      }),
    );
    server = createServer((request, response) => {
      served += 1;
      const url = request.url ?? '/';
      if (url === '/dot.png') {
        response.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
      } else if (url.startsWith('/hop/')) {
        const left = Number(url.slice(5));
        response.writeHead(302, { location: left > 0 ? `/hop/${left - 1}` : '/dot.png' }).end();
      } else if (url === '/big') {
        response.writeHead(200, { 'content-length': '4096' }).end(Buffer.alloc(4096));
      } else if (url === '/big-chunked') {
        response.writeHead(200);
        response.write(Buffer.alloc(700));
        response.end(Buffer.alloc(700));
      } else if (url === '/slow') {
        // never answers: the download must give up
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  beforeEach(() => {
    served = 0;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(root, { recursive: true, force: true });
  });

  describe('base64 and data URLs', () => {
    it('decodes base64 and sniffs the type', async () => {
      const loaded = await source.load(PNG.toString('base64'));
      expect(loaded.data.equals(PNG)).toBe(true);
      await expect(source.sniff(loaded.data)).resolves.toBe('image/png');
    });

    it('decodes a data URL with its declared type', async () => {
      const loaded = await source.load(`data:image/png;base64,${PNG.toString('base64')}`);
      expect(loaded.data.equals(PNG)).toBe(true);
      expect(loaded.declaredMimetype).toBe('image/png');
    });

    it.each([
      ['characters outside the alphabet', 'aGVsbG8@@@'],
      ['a data URL with bad base64', 'data:image/png;base64,!!notbase64!!'],
      ['a data URL that is not base64', 'data:text/plain,hello'],
    ])('refuses %s with 400', async (_what, media) => {
      const { status, text } = await failure(source.load(media));
      expect(status).toBe(400);
      expect(text).toMatch(/base64/);
    });

    it('refuses base64 larger than MEDIA_MAX_BYTES with 413', async () => {
      const { status, text } = await failure(source.load(Buffer.alloc(2000).toString('base64')));
      expect(status).toBe(413);
      expect(text).toContain('MEDIA_MAX_BYTES (1024 bytes)');
    });

    it('takes base64 that starts with "/" as base64, not as a path', async () => {
      // every JPEG's base64 starts with "/9j/"
      const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(60)]);
      expect(jpeg.toString('base64')).toMatch(/^\/9j\//);
      expect((await source.load(jpeg.toString('base64'))).data.equals(jpeg)).toBe(true);
      // no known type, but longer than any path
      const opaque = Buffer.concat([Buffer.from([0xfc]), randomBytes(899)]);
      expect(opaque.toString('base64')).toMatch(/^\//);
      expect((await source.load(opaque.toString('base64'))).data.equals(opaque)).toBe(true);
    });

    it('is strict about base64', () => {
      expect(decodeBase64('aGVsbG8=')?.toString()).toBe('hello');
      expect(decodeBase64('aGVsbG8')?.toString()).toBe('hello');
      expect(decodeBase64('aGVsbG8==')).toBeNull();
      expect(decodeBase64('a')).toBeNull();
    });
  });

  describe('paths inside MEDIA_DIR', () => {
    it('reads a relative path and an absolute path inside', async () => {
      const relative = await source.load('photos/dot.png');
      expect(relative.data.equals(PNG)).toBe(true);
      expect(relative.fileName).toBe('dot.png');
      const absolute = await source.load(join(mediaDir, 'photos', 'dot.png'));
      expect(absolute.data.equals(PNG)).toBe(true);
    });

    it.each([
      ['a .. segment', '../secret.png'],
      ['a .. segment that would stay inside', 'photos/../photos/dot.png'],
      ['an absolute path outside', '/etc/passwd'],
      ['a symlink to a file outside', 'escape.png'],
      ['a path through a symlinked folder outside', 'up/secret.png'],
    ])('refuses %s with 400', async (_what, media) => {
      const { status, text } = await failure(source.load(media));
      expect(status).toBe(400);
      expect(text).toMatch(/MEDIA_DIR|\.\./);
    });

    it('refuses a missing file and a folder with 400', async () => {
      expect((await failure(source.load('photos/none.png'))).status).toBe(400);
      expect((await failure(source.load('./photos'))).status).toBe(400);
    });

    it('refuses a file larger than MEDIA_MAX_BYTES with 413', async () => {
      expect((await failure(source.load('big.bin'))).status).toBe(413);
    });
  });

  describe('http(s) URLs', () => {
    it('downloads with the Content-Type and the file name', async () => {
      const loaded = await source.load(`${base}/dot.png`);
      expect(loaded.data.equals(PNG)).toBe(true);
      expect(loaded).toMatchObject({ declaredMimetype: 'image/png', fileName: 'dot.png' });
    });

    it('follows up to MEDIA_FETCH_MAX_REDIRECTS redirects, no more', async () => {
      expect((await source.load(`${base}/hop/1`)).data.equals(PNG)).toBe(true);
      served = 0;
      const { status, text } = await failure(source.load(`${base}/hop/5`));
      expect(status).toBe(400);
      expect(text).toMatch(/redirects more than 2 times/);
      // the first request and two redirects, then it stops
      expect(served).toBe(3);
    });

    it('refuses an announced and a streamed oversize body with 413', async () => {
      expect((await failure(source.load(`${base}/big`))).status).toBe(413);
      expect((await failure(source.load(`${base}/big-chunked`))).status).toBe(413);
    });

    it('gives up on a server that does not answer, with 400', async () => {
      const { status, text } = await failure(source.load(`${base}/slow`));
      expect(status).toBe(400);
      expect(text).toMatch(/did not answer within 300 ms/);
    });

    it('reports an error status and other schemes with 400', async () => {
      expect((await failure(source.load(`${base}/missing`))).text).toMatch(/HTTP 404/);
      expect((await failure(source.load('ftp://example.com/a.png'))).status).toBe(400);
    });
  });

  describe('private targets (SSRF), refused by default', () => {
    let guarded: MediaSource;
    beforeAll(() => {
      guarded = new MediaSource(AppConfig.fromEnv({ MEDIA_FETCH_TIMEOUT_MS: '2000' }));
    });
    afterAll(() => guarded.onModuleDestroy());

    it.each([
      ['a loopback IP', () => `${base}/dot.png`, '127.0.0.1'],
      [
        'a name that resolves to loopback',
        () => base.replace('127.0.0.1', 'localhost') + '/dot.png',
        /127\.0\.0\.1|::1/,
      ],
      ['IPv6 loopback', () => 'http://[::1]:9/dot.png', '::1'],
      [
        'cloud metadata (link-local)',
        () => 'http://169.254.169.254/latest/meta-data/',
        '169.254.169.254',
      ],
      ['a private network address', () => 'http://10.1.2.3/a.png', '10.1.2.3'],
      ['a unique-local IPv6 address', () => 'http://[fd00::1]/a.png', 'fd00::1'],
    ])('refuses %s with 400, before anything is requested', async (_what, url, address) => {
      const { status, text } = await failure(guarded.load(url()));
      expect(status).toBe(400);
      expect(text).toMatch(address);
      expect(text).toMatch(/private, loopback or link-local.*MEDIA_URL_ALLOW_PRIVATE=true/);
      expect(served).toBe(0);
    });

    it('classifies addresses', () => {
      const privateOnes = [
        '127.0.0.1',
        '10.0.0.1',
        '172.16.5.4',
        '192.168.1.1',
        '169.254.169.254',
        '100.64.0.1',
        '0.0.0.0',
        '::1',
        '::',
        'fd12::1',
        'fe80::1',
        '::ffff:127.0.0.1',
        '::ffff:10.0.0.1',
      ];
      const publicOnes = [
        '8.8.8.8',
        '1.1.1.1',
        '172.32.0.1',
        '2001:4860:4860::8888',
        '::ffff:8.8.8.8',
      ];
      expect(privateOnes.filter((address) => !isPrivateAddress(address))).toEqual([]);
      expect(publicOnes.filter(isPrivateAddress)).toEqual([]);
    });
  });

  it('takes an upload as it is, within MEDIA_MAX_BYTES', async () => {
    const loaded = source.fromUpload({ buffer: PNG, originalname: 'a.png', mimetype: 'image/png' });
    expect(loaded).toMatchObject({ declaredMimetype: 'image/png', fileName: 'a.png' });
    expect(() => source.fromUpload({ buffer: Buffer.alloc(2000) })).toThrow(/MEDIA_MAX_BYTES/);
  });
});

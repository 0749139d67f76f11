import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig } from '../config/app-config';
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

  it('takes an upload as it is, within MEDIA_MAX_BYTES', async () => {
    const loaded = source.fromUpload({ buffer: PNG, originalname: 'a.png', mimetype: 'image/png' });
    expect(loaded).toMatchObject({ declaredMimetype: 'image/png', fileName: 'a.png' });
    expect(() => source.fromUpload({ buffer: Buffer.alloc(2000) })).toThrow(/MEDIA_MAX_BYTES/);
  });
});

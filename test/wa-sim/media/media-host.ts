import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

const TLS_DIR = join(__dirname, 'tls');

/** The test CA that signed the media host's certificate (PEM file); clients must trust it. */
export const MEDIA_CA_FILE = join(TLS_DIR, 'ca.pem');

const MAX_UPLOAD_BYTES = 64 * 1024 * 1024;

interface StoredFile {
  data: Buffer;
  mediaType: string;
  expired: boolean;
}

/**
 * WhatsApp's media servers (mmg.whatsapp.net), as the simulator plays them: an HTTPS host on a
 * test CA that takes encrypted uploads (`POST /mms/<type>/<hash>?auth=…`, answered with `url` and
 * `direct_path`) and serves them back (`GET <direct path>`). Files are kept in memory.
 */
export class MediaHost {
  /** The upload token handed out in `media_conn` (any other is refused with 401). */
  readonly auth = randomBytes(18).toString('base64url');
  readonly ttlSeconds = 300;
  private readonly files = new Map<string, StoredFile>();
  private uploads = 0;

  private constructor(
    private readonly server: Server,
    /** `host:port`, as `media_conn` announces it. */
    readonly hostname: string,
  ) {}

  static async start(host: string): Promise<MediaHost> {
    const started: { media?: MediaHost } = {};
    const server = createServer(
      {
        cert: readFileSync(join(TLS_DIR, 'server.pem')),
        key: readFileSync(join(TLS_DIR, 'server-key.pem')),
      },
      (request, response) => {
        started.media?.handle(request, response).catch(() => {
          if (!response.headersSent) {
            response.writeHead(500).end();
          }
        });
      },
    );
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve((server.address() as AddressInfo).port));
    });
    started.media = new MediaHost(server, `${host}:${port}`);
    return started.media;
  }

  get baseUrl(): string {
    return `https://${this.hostname}`;
  }

  /** Number of files uploaded so far. */
  get uploadCount(): number {
    return this.uploads;
  }

  /** Stores an encrypted file (as a phone uploads it) and returns its direct path and URL. */
  put(data: Buffer, mediaType: string): { directPath: string; url: string } {
    const directPath = `/v/t62.7118-24/sim-${randomBytes(12).toString('hex')}.enc`;
    this.files.set(directPath, { data, mediaType, expired: false });
    return { directPath, url: `${this.baseUrl}${directPath}?mms-type=${mediaType}` };
  }

  /** The encrypted file behind a direct path or URL of this host, if it is stored. */
  get(pathOrUrl: string): Buffer | undefined {
    return this.files.get(this.pathOf(pathOrUrl))?.data;
  }

  /** Fault: the file answers 404 from now on, as WhatsApp does for expired media. */
  expire(pathOrUrl: string): void {
    const file = this.files.get(this.pathOf(pathOrUrl));
    if (file) {
      file.expired = true;
    }
  }

  /**
   * Fault: the stored file's first byte is flipped, as a broken or hostile media host would
   * serve it. It still decrypts (AES-CBC garbles only the first blocks), to the wrong bytes.
   */
  tamper(pathOrUrl: string): void {
    const file = this.files.get(this.pathOf(pathOrUrl));
    if (file) {
      file.data = Buffer.from(file.data);
      file.data[0] ^= 0xff;
    }
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private pathOf(pathOrUrl: string): string {
    return new URL(pathOrUrl, this.baseUrl).pathname;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.baseUrl);
    const upload = /^\/mms\/([a-z-]+)\/[^/]+$/.exec(url.pathname);
    if (request.method === 'POST' && upload) {
      if (url.searchParams.get('auth') !== this.auth) {
        json(response, 401, { error: 'bad auth' });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of request) {
        size += (chunk as Buffer).length;
        if (size > MAX_UPLOAD_BYTES) {
          json(response, 413, { error: 'too large' });
          request.destroy();
          return;
        }
        chunks.push(chunk as Buffer);
      }
      this.uploads++;
      const { directPath, url: fileUrl } = this.put(Buffer.concat(chunks), upload[1]);
      json(response, 200, { url: fileUrl, direct_path: directPath });
      return;
    }
    const file = this.files.get(url.pathname);
    if (request.method === 'GET' && file && !file.expired) {
      response
        .writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': file.data.length,
        })
        .end(file.data);
      return;
    }
    json(response, 404, { error: 'not found' });
  }
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

import { HttpStatus, Injectable, OnModuleDestroy } from '@nestjs/common';
import { fileTypeFromBuffer } from 'file-type';
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import { request, type Dispatcher } from 'undici';
import { DomainError } from '../common/errors/domain-errors';
import { AppConfig } from '../config/app-config';
import type { MediaConfig } from './messaging.config';
import { BadSendRequest } from './messaging-errors';
import { publicOnlyAgent } from './public-address-guard';

/** A file given to a send: its bytes, and what its source said about it. */
export interface LoadedMedia {
  data: Buffer;
  /** The type the source declared (data URL, Content-Type, upload), if any. */
  declaredMimetype?: string;
  fileName?: string;
}

/** A multipart upload as multer's memory storage hands it over. */
export interface UploadedMedia {
  buffer: Buffer;
  originalname?: string;
  mimetype?: string;
  size?: number;
}

export class MediaTooLarge extends DomainError {
  constructor(maxBytes: number) {
    super(
      HttpStatus.PAYLOAD_TOO_LARGE,
      `The media is larger than MEDIA_MAX_BYTES (${maxBytes} bytes)`,
    );
  }
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const BASE64_URL = /^[A-Za-z0-9_-]+={0,2}$/;
const DATA_URL = /^data:([^,;]*)((?:;[^,;=]+=[^,;]*)*)(;base64)?,(.*)$/s;
const GENERIC_TYPES = new Set(['application/octet-stream', 'binary/octet-stream', '']);

function bad(message: string): BadSendRequest {
  return new BadSendRequest('media', message);
}

/** Strict base64 (standard or URL alphabet, whitespace ignored); null when it is not. */
export function decodeBase64(text: string): Buffer | null {
  const compact = text.replace(/\s+/g, '');
  if (compact.length === 0 || !(BASE64.test(compact) || BASE64_URL.test(compact))) {
    return null;
  }
  const unpadded = compact.replace(/=+$/, '');
  if (unpadded.length % 4 === 1 || (compact.includes('=') && compact.length % 4 !== 0)) {
    return null;
  }
  return Buffer.from(compact, BASE64.test(compact) ? 'base64' : 'base64url');
}

/** Longer than this, text that is valid base64 is base64 even when it starts with `/`. */
const LONGEST_PATH = 1024;

/**
 * Whether `text` names a file rather than carrying base64 (`data`, its decoding, null when it is
 * not base64): base64 never has a dot or `\`.
 */
function looksLikePath(text: string, data: Buffer | null): boolean {
  return (
    /^(\/|\.{1,2}(\/|\\|$)|~)/.test(text) ||
    text.includes('.') ||
    text.includes('\\') ||
    (text.includes('/') && data === null)
  );
}

function inside(dir: string, target: string): boolean {
  const rel = relative(dir, target);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

function mimetypeOf(header: string | string[] | undefined): string | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.split(';')[0].trim().toLowerCase();
  return value && !GENERIC_TYPES.has(value) ? value : undefined;
}

/**
 * Where outbound media comes from: a data URL or base64, an http(s) URL (size-limited, with a
 * timeout and few redirects; never to a private, loopback or link-local address unless
 * MEDIA_URL_ALLOW_PRIVATE), a multipart upload, or a path inside `MEDIA_DIR` only: anything
 * that resolves outside it (`..`, an absolute path elsewhere, a symlink) is a 400 and nothing is
 * read. Larger than `MEDIA_MAX_BYTES` is a 413, whatever the source.
 */
@Injectable()
export class MediaSource implements OnModuleDestroy {
  private readonly config: MediaConfig;
  /** Refuses private targets (SSRF), unless MEDIA_URL_ALLOW_PRIVATE. */
  private readonly dispatcher: Dispatcher | undefined;

  constructor(config: AppConfig) {
    this.config = config.messaging.media;
    this.dispatcher = this.config.allowPrivateUrls ? undefined : publicOnlyAgent();
  }

  async onModuleDestroy(): Promise<void> {
    await this.dispatcher?.close();
  }

  get maxBytes(): number {
    return this.config.maxBytes;
  }

  async load(source: string): Promise<LoadedMedia> {
    const text = source.trim();
    if (text.length === 0) {
      throw bad('media is empty');
    }
    if (/^data:/i.test(text)) {
      return this.fromDataUrl(text);
    }
    if (/^https?:\/\//i.test(text)) {
      return this.fromUrl(text);
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
      throw bad('media URLs must be http:// or https://');
    }
    const data = decodeBase64(text);
    if (looksLikePath(text, data) && !(data && (await this.isBase64NotPath(text, data)))) {
      return this.fromPath(text);
    }
    if (!data) {
      throw bad(
        'media is not valid base64; give base64, a data: URL, an http(s) URL or a path inside MEDIA_DIR',
      );
    }
    return { data: this.checked(data) };
  }

  /**
   * Base64 may start with `/` (every JPEG's does: `/9j/`), as an absolute path does. It is base64
   * when it is longer than any path is, or when its bytes are a known file type.
   */
  private async isBase64NotPath(text: string, data: Buffer): Promise<boolean> {
    return text.length > LONGEST_PATH || (await this.sniff(data)) !== undefined;
  }

  fromUpload(file: UploadedMedia): LoadedMedia {
    return {
      data: this.checked(file.buffer),
      declaredMimetype: mimetypeOf(file.mimetype),
      fileName: file.originalname || undefined,
    };
  }

  /** The type the bytes show (magic numbers), when they show one. */
  async sniff(data: Buffer): Promise<string | undefined> {
    return (await fileTypeFromBuffer(data))?.mime;
  }

  private checked(data: Buffer): Buffer {
    if (data.length > this.config.maxBytes) {
      throw new MediaTooLarge(this.config.maxBytes);
    }
    if (data.length === 0) {
      throw bad('media is empty');
    }
    return data;
  }

  private fromDataUrl(text: string): LoadedMedia {
    const match = DATA_URL.exec(text);
    if (!match) {
      throw bad('media is not a valid data: URL (data:<mimetype>;base64,<data>)');
    }
    const [, type, , isBase64, payload] = match;
    if (!isBase64) {
      throw bad('data: URLs must be base64 (data:<mimetype>;base64,<data>)');
    }
    // 4 base64 characters carry 3 bytes: refuse before decoding what is far too large
    if (Math.floor((payload.length * 3) / 4) > this.config.maxBytes + 3) {
      throw new MediaTooLarge(this.config.maxBytes);
    }
    const data = decodeBase64(payload);
    if (!data) {
      throw bad('the data: URL does not carry valid base64');
    }
    return { data: this.checked(data), declaredMimetype: mimetypeOf(type) };
  }

  private async fromPath(text: string): Promise<LoadedMedia> {
    if (text.split(/[\\/]/).includes('..')) {
      throw bad('media paths may not contain ".."');
    }
    const dir = resolve(this.config.dir);
    const target = resolve(dir, text);
    if (!inside(dir, target)) {
      throw bad('media paths must be inside MEDIA_DIR');
    }
    let realDir: string;
    let real: string;
    try {
      realDir = await realpath(dir);
      real = await realpath(target);
    } catch {
      throw bad(`no file ${text} in MEDIA_DIR`);
    }
    if (!inside(realDir, real)) {
      throw bad('media paths must be inside MEDIA_DIR (this one resolves outside it)');
    }
    let handle;
    try {
      handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch {
      throw bad(`the file ${text} in MEDIA_DIR cannot be read`);
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) {
        throw bad(`${text} in MEDIA_DIR is not a file`);
      }
      if (stat.size > this.config.maxBytes) {
        throw new MediaTooLarge(this.config.maxBytes);
      }
      return { data: this.checked(await handle.readFile()), fileName: basename(real) };
    } finally {
      await handle.close();
    }
  }

  private async fromUrl(url: string): Promise<LoadedMedia> {
    const { fetchTimeoutMs, maxRedirects, maxBytes } = this.config;
    const signal = AbortSignal.timeout(fetchTimeoutMs);
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(url, {
        method: 'GET',
        maxRedirections: maxRedirects,
        headersTimeout: fetchTimeoutMs,
        bodyTimeout: fetchTimeoutMs,
        signal,
        dispatcher: this.dispatcher,
      });
    } catch (error) {
      throw bad(this.fetchFailure(error, signal));
    }
    const { statusCode, headers, body } = response;
    if (statusCode >= 300) {
      await body.dump().catch(() => undefined);
      throw bad(
        statusCode < 400
          ? `the media URL redirects more than ${maxRedirects} times`
          : `the media URL answered HTTP ${statusCode}`,
      );
    }
    const length = Number(headers['content-length']);
    if (Number.isFinite(length) && length > maxBytes) {
      body.on('error', () => undefined).destroy();
      throw new MediaTooLarge(maxBytes);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of body) {
        const buffer = chunk as Buffer;
        size += buffer.length;
        if (size > maxBytes) {
          // leaving the loop destroys the body: nothing more is read
          throw new MediaTooLarge(maxBytes);
        }
        chunks.push(buffer);
      }
    } catch (error) {
      if (error instanceof MediaTooLarge) {
        throw error;
      }
      throw bad(this.fetchFailure(error, signal));
    }
    const name = basename(decodeURIComponent(new URL(url).pathname));
    return {
      data: this.checked(Buffer.concat(chunks)),
      declaredMimetype: mimetypeOf(headers['content-type']),
      fileName: name || undefined,
    };
  }

  private fetchFailure(error: unknown, signal: AbortSignal): string {
    const code = (error as { code?: string }).code ?? '';
    if (code === 'ERR_MEDIA_PRIVATE_ADDRESS') {
      return `${(error as Error).message}: refused (set MEDIA_URL_ALLOW_PRIVATE=true to allow such targets)`;
    }
    if (signal.aborted || /TIMEOUT/.test(code)) {
      return `the media URL did not answer within ${this.config.fetchTimeoutMs} ms`;
    }
    if (code === 'UND_ERR_REDIRECTION' || /redirect/i.test(String(error))) {
      return `the media URL redirects more than ${this.config.maxRedirects} times`;
    }
    return `the media URL could not be downloaded (${code || (error as Error).message})`;
  }
}

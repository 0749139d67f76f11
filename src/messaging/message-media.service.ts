import { Injectable, Logger, StreamableFile } from '@nestjs/common';
import type { Response } from 'express';
import { InjectRepository } from '@nestjs/typeorm';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { In, Repository } from 'typeorm';
import { errorEnvelopeOf } from '../common/http/envelope';
import { AppConfig } from '../config/app-config';
import { MediaDownloader, MediaUnavailable } from '../whatsapp/media-downloader';
import { MediaCorrupt } from '../whatsapp/media-integrity';
import { MessageEntity } from './entities/message.entity';
import {
  MediaExpired,
  MediaUnreachable,
  MessageHasNoMedia,
  MessageNotFound,
} from './messaging-errors';

const ROW_ID = /^[1-9][0-9]{0,17}$/;
const MIMETYPE =
  /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+(\s*;\s*[a-z0-9!#$&^_.+-]+=[a-z0-9!#$&^_.+"=-]+)*$/i;

/** `attachment` with the file name, ASCII-safe (`filename`) and exact (`filename*`, RFC 6266). */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/** `<message id>.<subtype>`: a file name made of safe characters only. */
function plainFileName(messageId: string, mimetype: string | null): string {
  const subtype = mimetype ? /^[^/]+\/([a-z0-9]+)/i.exec(mimetype)?.[1]?.toLowerCase() : undefined;
  const extension =
    subtype && subtype !== 'octet' ? `.${subtype === 'jpeg' ? 'jpg' : subtype}` : '';
  return `${messageId.replace(/[^A-Za-z0-9_-]/g, '_')}${extension}`;
}

function fileNameOf(row: MessageEntity, mimetype: string): string {
  return row.mediaFileName
    ? row.mediaFileName.replace(/[\\/\r\n]/g, '_')
    : plainFileName(row.messageId, mimetype);
}

/** Where auto-download (MEDIA_AUTO_DOWNLOAD) keeps a message's media: MEDIA_DIR/received/<session>/. */
export function savedMediaPath(
  dir: string,
  sessionId: string,
  messageId: string,
  mimetype: string | null,
): string {
  const session = sessionId.replace(/[^A-Za-z0-9_-]/g, '_');
  return join(dir, 'received', session, plainFileName(messageId, mimetype));
}

/**
 * `GET /api/v1/messages/:id/media`: the stored message's media, fetched from WhatsApp and
 * decrypted as it streams; or the copy auto-download saved (which outlives WhatsApp's). `:id` is
 * the row id of `/api/v1/messages`.
 */
@Injectable()
export class MessageMedia {
  constructor(
    @InjectRepository(MessageEntity) private readonly messages: Repository<MessageEntity>,
    private readonly downloader: MediaDownloader,
    config: AppConfig,
  ) {
    this.dir = config.messaging.media.dir;
  }

  private readonly dir: string;
  private readonly logger = new Logger('MessageMedia');

  /** A stored message's media; `visible` narrows it to a scoped caller's sessions. */
  async file(id: string, visible: string[] | undefined): Promise<StreamableFile> {
    const row = ROW_ID.test(id)
      ? await this.messages.findOne({
          where: visible ? { id, sessionId: In(visible) } : { id },
        })
      : null;
    if (!row) {
      throw new MessageNotFound(id);
    }
    if (!row.mediaDownload) {
      throw new MessageHasNoMedia(id);
    }
    const mimetype =
      row.mediaMimetype && MIMETYPE.test(row.mediaMimetype)
        ? row.mediaMimetype
        : 'application/octet-stream';
    const file = { type: mimetype, disposition: contentDisposition(fileNameOf(row, mimetype)) };
    const saved = savedMediaPath(this.dir, row.sessionId, row.messageId, row.mediaMimetype);
    const size = await stat(saved).then(
      (found) => (found.isFile() ? found.size : undefined),
      () => undefined,
    );
    if (size !== undefined) {
      return new StreamableFile(createReadStream(saved), { ...file, length: size });
    }
    let stream;
    try {
      stream = await this.downloader.download(row.mediaDownload as Record<string, unknown>);
    } catch (error) {
      if (!(error instanceof MediaUnavailable)) {
        throw error;
      }
      if (error.reason === 'incomplete') {
        throw new MessageHasNoMedia(id);
      }
      throw error.reason === 'expired'
        ? new MediaExpired(id, error.message)
        : new MediaUnreachable(id, error.message);
    }
    // No Content-Length: the stored length is the sender's claim, and a wrong one would cut or
    // stall the response; the decrypted stream goes out chunked
    const streamed = new StreamableFile(stream, file);
    streamed.setErrorHandler((error, response) => this.failed(id, error, response as Response));
    return streamed;
  }

  /**
   * A download that fails once streaming began: before the first byte (a file that does not
   * match its hash is held until verified when small) it is a 502 in the envelope; after it,
   * the connection is cut, so the client never takes a truncated file for a complete one.
   */
  private failed(id: string, error: Error, response: Response): void {
    const reason =
      error instanceof MediaCorrupt
        ? error.message
        : "WhatsApp's media server broke off the download";
    this.logger.warn(`media of message ${id} failed while streaming: ${error.message}`);
    if (response.destroyed) {
      return;
    }
    if (response.headersSent) {
      response.destroy();
      return;
    }
    const failure = new MediaUnreachable(id, reason);
    response.removeHeader('Content-Disposition');
    response.status(failure.status).json(errorEnvelopeOf(failure));
  }
}

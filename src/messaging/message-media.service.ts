import { Injectable, StreamableFile } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { currentSessionFilter } from '../access/request-principal';
import { MediaDownloader, MediaUnavailable } from '../whatsapp/media-downloader';
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

function fileNameOf(row: MessageEntity, mimetype: string): string {
  if (row.mediaFileName) {
    return row.mediaFileName.replace(/[\\/\r\n]/g, '_');
  }
  const subtype = /^[^/]+\/([a-z0-9]+)/i.exec(mimetype)?.[1]?.toLowerCase();
  const extension =
    subtype && subtype !== 'octet' ? `.${subtype === 'jpeg' ? 'jpg' : subtype}` : '';
  return `${row.messageId.replace(/[^A-Za-z0-9_-]/g, '_')}${extension}`;
}

/**
 * `GET /api/v1/messages/:id/media`: the stored message's media, fetched from WhatsApp and
 * decrypted as it streams (nothing is kept on disk). `:id` is the row id of `/api/v1/messages`.
 */
@Injectable()
export class MessageMedia {
  constructor(
    @InjectRepository(MessageEntity) private readonly messages: Repository<MessageEntity>,
    private readonly downloader: MediaDownloader,
  ) {}

  async file(id: string): Promise<StreamableFile> {
    const visible = currentSessionFilter();
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
    const mimetype =
      row.mediaMimetype && MIMETYPE.test(row.mediaMimetype)
        ? row.mediaMimetype
        : 'application/octet-stream';
    return new StreamableFile(stream, {
      type: mimetype,
      length: row.mediaFileLength ?? undefined,
      disposition: contentDisposition(fileNameOf(row, mimetype)),
    });
  }
}

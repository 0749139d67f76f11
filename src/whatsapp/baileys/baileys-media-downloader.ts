import { Injectable } from '@nestjs/common';
import { downloadContentFromMessage, type MediaType } from '@whiskeysockets/baileys';
import type { Readable } from 'node:stream';
import { MediaDownloader, MediaUnavailable } from '../media-downloader';

const MEDIA_TYPES = new Set<MediaType>(['image', 'video', 'audio', 'document', 'sticker']);

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Baileys' download (HTTPS fetch from the media host, AES-256-CBC decryption as it streams). */
@Injectable()
export class BaileysMediaDownloader extends MediaDownloader {
  async download(downloadable: Record<string, unknown>): Promise<Readable> {
    const mediaType = downloadable.mediaType as MediaType;
    const mediaKey = text(downloadable.mediaKey);
    const directPath = text(downloadable.directPath);
    const url = text(downloadable.url);
    if (!MEDIA_TYPES.has(mediaType) || !mediaKey || (!directPath && !url)) {
      throw new MediaUnavailable('incomplete', 'The message does not say where its media is');
    }
    try {
      return await downloadContentFromMessage(
        { mediaKey: Buffer.from(mediaKey, 'base64'), directPath, url },
        mediaType,
      );
    } catch (error) {
      const status = (error as { output?: { statusCode?: number } }).output?.statusCode;
      if (status === 404 || status === 410) {
        throw new MediaUnavailable(
          'expired',
          'The media is no longer on WhatsApp (expired or deleted)',
        );
      }
      throw new MediaUnavailable(
        'unreachable',
        status
          ? `WhatsApp's media server answered HTTP ${status}`
          : "WhatsApp's media server could not be reached",
      );
    }
  }
}

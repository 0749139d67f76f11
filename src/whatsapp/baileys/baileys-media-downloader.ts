import { Injectable } from '@nestjs/common';
import { downloadContentFromMessage, type MediaType } from '@whiskeysockets/baileys';
import { pipeline, type Readable } from 'node:stream';
import { verifySha256 } from '../media-integrity';
import { MediaDownloader, MediaUnavailable } from '../media-downloader';

const MEDIA_TYPES = new Set<MediaType>(['image', 'video', 'audio', 'document', 'sticker']);

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * Baileys' download (HTTPS fetch from the media host, AES-256-CBC decryption as it streams),
 * checked against the message's `fileSha256`: Baileys checks neither the file's MAC nor its hash.
 */
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
    let decrypted: Readable;
    try {
      decrypted = await downloadContentFromMessage(
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
    const fileSha256 = text(downloadable.fileSha256);
    if (!fileSha256) {
      return decrypted;
    }
    const verified = verifySha256(fileSha256);
    // Errors of either side (a broken connection, bad padding, a hash mismatch) end up on `verified`
    pipeline(decrypted, verified, () => undefined);
    return verified;
  }
}

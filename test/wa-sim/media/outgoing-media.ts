import type { proto } from '@whiskeysockets/baileys';
import { nowSeconds } from '../protocol/binary-nodes';
import { encryptMedia, type SimMediaType } from './media-crypto';
import type { MediaHost } from './media-host';

/** A file a simulated contact sends (see `SimAccount.sendMedia`). */
export interface MediaToSend {
  type: Exclude<SimMediaType, 'sticker'>;
  data: Buffer;
  mimetype: string;
  caption?: string;
  /** Documents: the file name shown. */
  fileName?: string;
  /** Audio: a voice note. */
  ptt?: boolean;
  /** Audio and video length. */
  seconds?: number;
}

/**
 * What a phone does before sending media: encrypt the file with a fresh media key, upload it to
 * the media host, and describe it (url, directPath, mediaKey, hashes) in the message.
 */
export function uploadMediaMessage(host: MediaHost, media: MediaToSend): proto.IMessage {
  const encrypted = encryptMedia(media.data, media.type);
  const { url, directPath } = host.put(encrypted.encrypted, media.type);
  const common = {
    url,
    directPath,
    mimetype: media.mimetype,
    mediaKey: encrypted.mediaKey,
    fileSha256: encrypted.fileSha256,
    fileEncSha256: encrypted.fileEncSha256,
    fileLength: encrypted.fileLength,
    mediaKeyTimestamp: nowSeconds(),
  };
  switch (media.type) {
    case 'image':
      return { imageMessage: { ...common, caption: media.caption } };
    case 'video':
      return { videoMessage: { ...common, caption: media.caption, seconds: media.seconds } };
    case 'audio':
      return { audioMessage: { ...common, ptt: Boolean(media.ptt), seconds: media.seconds } };
    case 'document':
      return {
        documentMessage: {
          ...common,
          caption: media.caption,
          fileName: media.fileName ?? 'file',
          title: media.fileName ?? 'file',
        },
      };
    default: {
      const unreachable: never = media.type;
      throw new Error(`unknown media type ${String(unreachable)}`);
    }
  }
}

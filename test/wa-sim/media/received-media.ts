import { normalizeMessageContent, type proto } from '@whiskeysockets/baileys';
import { decryptMedia, type SimMediaType } from './media-crypto';
import type { MediaHost } from './media-host';

/** The media of a message the client sent, as the recipient's phone downloaded and decrypted it. */
export interface ReceivedMedia {
  type: SimMediaType;
  mimetype?: string;
  /** The decrypted file; absent when it could not be fetched or did not verify (see `error`). */
  data?: Buffer;
  /** Why `data` is missing: not on the media host, MAC or hash mismatch. */
  error?: string;
  caption?: string;
  fileName?: string;
  /** Voice note (audio only). */
  ptt?: boolean;
  fileLength?: number;
}

type MediaFields = proto.Message.IImageMessage &
  proto.Message.IDocumentMessage &
  proto.Message.IAudioMessage;

const MEDIA_FIELDS = {
  imageMessage: 'image',
  videoMessage: 'video',
  audioMessage: 'audio',
  documentMessage: 'document',
  stickerMessage: 'sticker',
} as const satisfies Record<string, SimMediaType>;

/** Downloads (from the simulator's media host) and decrypts the media of a message, if it has any. */
export function receivedMedia(
  host: MediaHost,
  message: proto.IMessage | undefined,
): ReceivedMedia | undefined {
  const content = normalizeMessageContent(message);
  for (const [field, type] of Object.entries(MEDIA_FIELDS) as [
    keyof typeof MEDIA_FIELDS,
    SimMediaType,
  ][]) {
    const media: MediaFields | null | undefined = content?.[field];
    if (!media) {
      continue;
    }
    const result: ReceivedMedia = {
      type,
      mimetype: media.mimetype ?? undefined,
      caption: media.caption ?? undefined,
      fileName: media.fileName ?? undefined,
      ptt: type === 'audio' ? Boolean(media.ptt) : undefined,
      fileLength:
        media.fileLength === null || media.fileLength === undefined
          ? undefined
          : Number(media.fileLength),
    };
    const location = media.directPath ?? media.url;
    const encrypted = location ? host.get(location) : undefined;
    if (!encrypted || !media.mediaKey) {
      return { ...result, error: 'the media is not on the simulator media host' };
    }
    try {
      const data = decryptMedia(encrypted, type, {
        mediaKey: media.mediaKey,
        fileEncSha256: media.fileEncSha256,
        fileSha256: media.fileSha256,
      });
      return { ...result, data };
    } catch (error) {
      return { ...result, error: (error as Error).message };
    }
  }
  return undefined;
}

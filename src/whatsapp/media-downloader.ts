import type { Readable } from 'node:stream';

/** Why stored media cannot be fetched. */
export type MediaUnavailableReason = 'expired' | 'unreachable' | 'incomplete';

/** The media of a stored message cannot be downloaded now (or ever, when it expired). */
export class MediaUnavailable extends Error {
  constructor(
    readonly reason: MediaUnavailableReason,
    message: string,
  ) {
    super(message);
    this.name = 'MediaUnavailable';
  }
}

/**
 * Downloads and decrypts the media of a received (or sent) message from WhatsApp's media
 * servers, from what the engine stored about it (`MediaInfo.downloadable`, opaque outside
 * `whatsapp/`). Needs no open session: the media key travels with the message.
 */
export abstract class MediaDownloader {
  /**
   * The decrypted file as a stream; rejects with MediaUnavailable before any byte is sent. The
   * stream fails with MediaCorrupt (instead of ending) when the file does not match its hash.
   */
  abstract download(downloadable: Record<string, unknown>): Promise<Readable>;
}

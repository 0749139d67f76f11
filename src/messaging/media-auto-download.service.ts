import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AppConfig } from '../config/app-config';
import type { MediaConfig } from './messaging.config';
import { MediaDownloader } from '../whatsapp/media-downloader';
import { savedMediaPath } from './message-media.service';
import { StoredMessageEvents, type MessageStoredEvent } from './messaging-events';

/** Published once auto-download saved (or failed to save) a message's media. */
export const MEDIA_SAVED_EVENT = 'message_media.saved';

export interface MediaSavedEvent {
  sessionId: string;
  messageId: string;
  /** The file, or null when it could not be downloaded (the reason is logged). */
  path: string | null;
}

/**
 * MEDIA_AUTO_DOWNLOAD: the inbound media of the listed sessions (`*`: all) is downloaded as soon
 * as the message is stored, into `MEDIA_DIR/received/<session>/<message id>.<ext>`, so it stays
 * available after WhatsApp drops it; GET /api/v1/messages/:rowId/media serves that copy.
 */
@Injectable()
export class MediaAutoDownload {
  private readonly logger = new Logger(MediaAutoDownload.name);
  private readonly config: MediaConfig;

  constructor(
    config: AppConfig,
    private readonly downloader: MediaDownloader,
    private readonly events: EventEmitter2,
  ) {
    this.config = config.messaging.media;
  }

  private wanted(sessionId: string): boolean {
    const sessions = this.config.autoDownload;
    return sessions.includes('*') || sessions.includes(sessionId);
  }

  @OnEvent(StoredMessageEvents.Message)
  onStored({ sessionId, message }: MessageStoredEvent): void {
    const downloadable = message.media?.downloadable;
    if (message.fromMe || !downloadable || !this.wanted(sessionId)) {
      return;
    }
    const path = savedMediaPath(
      this.config.dir,
      sessionId,
      message.id,
      message.media?.mimetype ?? null,
    );
    void this.save(downloadable, path).then((saved) =>
      this.events.emit(MEDIA_SAVED_EVENT, {
        sessionId,
        messageId: message.id,
        path: saved ? path : null,
      } satisfies MediaSavedEvent),
    );
  }

  private async save(downloadable: Record<string, unknown>, path: string): Promise<boolean> {
    const partial = `${path}.part`;
    try {
      await mkdir(dirname(path), { recursive: true });
      await pipeline(await this.downloader.download(downloadable), createWriteStream(partial));
      await rename(partial, path);
      return true;
    } catch (error) {
      await rm(partial, { force: true });
      this.logger.warn(`auto-download of a media file failed: ${(error as Error).message}`);
      return false;
    }
  }
}

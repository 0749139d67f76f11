import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches, MinLength } from 'class-validator';
import { resolve } from 'node:path';
import {
  trimmed,
  emptyToUndefined,
  isTrue,
  listOf,
  configSection,
  WholeNumber,
  Flag,
} from '../config/config-section';

/** Outbound pacing per session (bulk senders get banned when they burst). */
export interface MessagingConfig {
  minIntervalMs: number;
  jitterMs: number;
  queueMax: number;
  sendTimeoutMs: number;
  media: MediaConfig;
}

/** Where outbound media may come from, and how big it may be. */
export interface MediaConfig {
  /** The only folder server paths may name (absolute, resolved at boot). */
  dir: string;
  /** Larger media is refused with 413, whatever its source. */
  maxBytes: number;
  /** An http(s) download that takes longer fails. */
  fetchTimeoutMs: number;
  maxRedirects: number;
  /** Media URLs may reach loopback, private, link-local and unique-local addresses. */
  allowPrivateUrls: boolean;
  /** Sessions whose inbound media is saved under `dir`/received at once (`*`: all). */
  autoDownload: string[];
}

/** Outbound pacing (SEND_*) and media (MEDIA_*). */
class MessagingEnvironment {
  @WholeNumber({ min: 0, unit: 'milliseconds', note: '0 turns pacing off' })
  SEND_MIN_INTERVAL_MS = 1000;

  @WholeNumber({ min: 0, unit: 'milliseconds' })
  SEND_JITTER_MS = 1000;

  @WholeNumber({ min: 1, unit: 'messages' })
  SEND_QUEUE_MAX = 1000;

  @WholeNumber({ min: 1000, unit: 'milliseconds' })
  SEND_TIMEOUT_MS = 120_000;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(1)
  MEDIA_DIR?: string;

  @WholeNumber({ min: 1, unit: 'bytes' })
  MEDIA_MAX_BYTES = 16 * 1024 * 1024;

  @WholeNumber({ min: 100, unit: 'milliseconds' })
  MEDIA_FETCH_TIMEOUT_MS = 30_000;

  @WholeNumber({ min: 0, max: 20, unit: 'redirects' })
  MEDIA_FETCH_MAX_REDIRECTS = 3;

  @Flag()
  MEDIA_URL_ALLOW_PRIVATE = 'false';

  @Transform(trimmed)
  @Matches(/^(\*|[A-Za-z0-9_-]+(\s*,\s*[A-Za-z0-9_-]+)*)?$/, {
    message: 'must be empty, * or a comma-separated list of session ids',
  })
  MEDIA_AUTO_DOWNLOAD = '';
}

export const messagingConfig = configSection(
  MessagingEnvironment,
  (env, core): MessagingConfig => ({
    minIntervalMs: env.SEND_MIN_INTERVAL_MS,
    jitterMs: env.SEND_JITTER_MS,
    queueMax: env.SEND_QUEUE_MAX,
    sendTimeoutMs: env.SEND_TIMEOUT_MS,
    media: {
      dir: resolve(env.MEDIA_DIR ?? resolve(core.dataDir, 'media')),
      maxBytes: env.MEDIA_MAX_BYTES,
      fetchTimeoutMs: env.MEDIA_FETCH_TIMEOUT_MS,
      maxRedirects: env.MEDIA_FETCH_MAX_REDIRECTS,
      allowPrivateUrls: isTrue(env.MEDIA_URL_ALLOW_PRIVATE),
      autoDownload: listOf(env.MEDIA_AUTO_DOWNLOAD),
    },
  }),
);

import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import {
  Flag,
  isTrue,
  trimmed,
  emptyToUndefined,
  LOG_LEVELS,
  type LogLevel,
  configSection,
  WholeNumber,
} from '../config/config-section';

export interface WhatsappConfig {
  /** Baileys' waWebSocketUrl; undefined keeps WhatsApp's own. */
  wsUrl: string | undefined;
  /** Pinned WhatsApp Web version; undefined keeps the one Baileys ships with. */
  version: [number, number, number] | undefined;
  /** The name the phone shows under "Linked devices". */
  deviceName: string;
  logLevel: LogLevel;
  reconnect: { baseDelayMs: number; maxDelayMs: number; maxAttempts: number };
  /**
   * Store each incoming message before its delivery receipt goes to WhatsApp (the patched
   * `beforeMessageReceipt`), so a process killed meanwhile gets it again. On by default.
   */
  storeBeforeReceipt: boolean;
}

/** The WhatsApp engine's variables (WA_*), validated at boot. */
class WhatsappEnvironment {
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^wss?:\/\/[^\s]+$/, { message: 'must be a ws:// or wss:// URL' })
  WA_WS_URL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^\d+[.,]\d+[.,]\d+$/, {
    message: 'must be a WhatsApp Web version such as 2.3000.1027934701',
  })
  WA_VERSION?: string;

  @Transform(trimmed)
  @IsString()
  @Matches(/^[^\s].{0,49}$/, { message: 'must be 1-50 characters' })
  WA_DEVICE_NAME = 'wa-gateway';

  @Transform(trimmed)
  @IsIn(LOG_LEVELS, { message: `must be one of: ${LOG_LEVELS.join(', ')}` })
  WA_LOG_LEVEL: LogLevel = 'warn';

  @WholeNumber({ min: 100, unit: 'milliseconds' })
  WA_RECONNECT_BASE_DELAY_MS = 2000;

  @WholeNumber({ min: 1000, unit: 'milliseconds' })
  WA_RECONNECT_MAX_DELAY_MS = 120_000;

  @WholeNumber({ min: 0, note: '0 retries forever' })
  WA_RECONNECT_MAX_ATTEMPTS = 10;

  @Flag()
  WA_STORE_BEFORE_RECEIPT = 'true';
}

export const whatsappConfig = configSection(WhatsappEnvironment, (env): WhatsappConfig => ({
  wsUrl: env.WA_WS_URL,
  version: env.WA_VERSION
    ? (env.WA_VERSION.split(/[.,]/).map(Number) as [number, number, number])
    : undefined,
  deviceName: env.WA_DEVICE_NAME,
  logLevel: env.WA_LOG_LEVEL,
  reconnect: {
    baseDelayMs: env.WA_RECONNECT_BASE_DELAY_MS,
    maxDelayMs: Math.max(env.WA_RECONNECT_MAX_DELAY_MS, env.WA_RECONNECT_BASE_DELAY_MS),
    maxAttempts: env.WA_RECONNECT_MAX_ATTEMPTS,
  },
  storeBeforeReceipt: isTrue(env.WA_STORE_BEFORE_RECEIPT),
}));

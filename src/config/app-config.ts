import { Transform, plainToInstance } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidationError,
  validateSync,
} from 'class-validator';
import { resolve } from 'node:path';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type DbType = 'sqlite' | 'mysql';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
const trimmed = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() : value;
const emptyToUndefined = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/**
 * The raw environment, as validated. Every variable documented in `.env.example` is here;
 * `AppConfig.fromEnv` turns it into the typed configuration the app uses.
 */
class EnvironmentSchema {
  @Transform(toInt)
  @IsInt({ message: 'must be an integer port number' })
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  HOST = '0.0.0.0';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters long' })
  API_KEY?: string;

  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  DATA_DIR = './data';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsIn(['sqlite', 'mysql', 'mariadb'], { message: 'must be one of: sqlite, mysql, mariadb' })
  DB_TYPE?: string;

  @IsString()
  DB_HOST = '127.0.0.1';

  @Transform(toInt)
  @IsInt({ message: 'must be an integer port number' })
  @Min(1)
  @Max(65535)
  DB_PORT = 3306;

  @IsString()
  DB_USER = 'root';

  @IsString()
  DB_PASSWORD = '';

  @IsString()
  @Matches(/^[A-Za-z0-9_$-]{1,64}$/, { message: 'must be a plain database name' })
  DB_NAME = 'wa_gateway';

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^(mysql|mariadb):\/\/[^\s]+$/, {
    message: 'must be a mysql://user:password@host:port/database URL',
  })
  DATABASE_URL?: string;

  @Transform(trimmed)
  @IsIn(LOG_LEVELS, { message: `must be one of: ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: LogLevel = 'info';

  @IsString()
  CORS_ORIGINS = '*';

  @Transform(trimmed)
  @Matches(/^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i, { message: 'must be a size such as 512kb or 10mb' })
  BODY_LIMIT = '10mb';

  @Transform(trimmed)
  @Matches(/^[1-9]\d{0,3}$/, { message: 'must be a country calling code such as 62' })
  DEFAULT_COUNTRY_CODE = '62';

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

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(100)
  WA_RECONNECT_BASE_DELAY_MS = 2000;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(1000)
  WA_RECONNECT_MAX_DELAY_MS = 120_000;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number (0 retries forever)' })
  @Min(0)
  WA_RECONNECT_MAX_ATTEMPTS = 10;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of requests (0 turns the limit off)' })
  @Min(0)
  RATE_LIMIT_PER_MINUTE = 600;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of requests (0 turns the limit off)' })
  @Min(0)
  RATE_LIMIT_READ_PER_MINUTE = 3000;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of requests (0 turns the limit off)' })
  @Min(0)
  RATE_LIMIT_INGEST_PER_MINUTE = 600_000;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of requests (0 turns the limit off)' })
  @Min(0)
  RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE = 300;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^rediss?:\/\/[^\s]+$/, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of days' })
  @Min(1)
  AUDIT_RETENTION_DAYS = 90;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(1)
  GRAB_TIMEOUT_MS = 120_000;

  @Transform(trimmed)
  @IsIn(['true', 'false', '1', '0'], { message: 'must be true or false' })
  CONTACTS_AUTO_SYNC = 'false';

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number' })
  @Min(1)
  @Max(64)
  PICTURE_CONCURRENCY = 8;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(100)
  PICTURE_TIMEOUT_MS = 5_000;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of milliseconds (0 turns pacing off)' })
  @Min(0)
  SEND_MIN_INTERVAL_MS = 1000;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(0)
  SEND_JITTER_MS = 1000;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of messages' })
  @Min(1)
  SEND_QUEUE_MAX = 1000;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(1000)
  SEND_TIMEOUT_MS = 120_000;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(1)
  MEDIA_DIR?: string;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of bytes' })
  @Min(1)
  MEDIA_MAX_BYTES = 16 * 1024 * 1024;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(100)
  MEDIA_FETCH_TIMEOUT_MS = 30_000;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of redirects' })
  @Min(0)
  @Max(20)
  MEDIA_FETCH_MAX_REDIRECTS = 3;

  @Transform(trimmed)
  @IsIn(['true', 'false', '1', '0'], { message: 'must be true or false' })
  MEDIA_URL_ALLOW_PRIVATE = 'false';

  @Transform(trimmed)
  @Matches(/^(\*|[A-Za-z0-9_-]+(\s*,\s*[A-Za-z0-9_-]+)*)?$/, {
    message: 'must be empty, * or a comma-separated list of session ids',
  })
  MEDIA_AUTO_DOWNLOAD = '';

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'must be an http:// or https:// URL' })
  WEBHOOK_URL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^(whsec_)?[A-Za-z0-9+/]{16,}={0,2}$/, {
    message:
      'must be a Standard Webhooks secret: whsec_ followed by base64 (at least 16 characters)',
  })
  WEBHOOK_SECRET?: string;

  @Transform(trimmed)
  @Matches(/^\s*(\*|[A-Za-z]+(\s*,\s*[A-Za-z]+)*)\s*$/, {
    message: 'must be * or a comma-separated list of event types such as Message,ReadReceipt',
  })
  WEBHOOK_EVENTS = '*';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'must be at least 8 characters long' })
  WEBHOOK_INGEST_SECRET?: string;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(100)
  WEBHOOK_TIMEOUT_MS = 10_000;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number' })
  @Min(1)
  @Max(1000)
  WEBHOOK_CONCURRENCY = 64;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number' })
  @Min(1)
  WEBHOOK_MAX_ATTEMPTS = 10;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(10)
  WEBHOOK_RETRY_BASE_DELAY_MS = 1000;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(10)
  WEBHOOK_RETRY_MAX_DELAY_MS = 3_600_000;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number (0 never pauses)' })
  @Min(0)
  WEBHOOK_PAUSE_AFTER_FAILURES = 50;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(500)
  WEBHOOK_LEASE_MS = 30_000;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(10)
  WEBHOOK_POLL_INTERVAL_MS = 500;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of hours' })
  @Min(1)
  WEBHOOK_RETENTION_HOURS = 168;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of hours' })
  @Min(1)
  WEBHOOK_RAW_RETENTION_HOURS = 168;
}

export interface WebhooksConfig {
  /** The global target (every session's events), when set. */
  url: string | undefined;
  secret: string | undefined;
  /** 003 event types the global target gets, or ['*']. */
  events: string[];
  /** When set, ingest also accepts a valid x-hmac-signature instead of the API key. */
  ingestSecret: string | undefined;
  timeoutMs: number;
  concurrency: number;
  maxAttempts: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** Consecutive failed attempts after which a target is paused (0: never). */
  pauseAfterFailures: number;
  leaseMs: number;
  pollIntervalMs: number;
  retentionHours: number;
  rawRetentionHours: number;
}

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

export interface AccessConfig {
  /** Requests per minute and key; 0 is unlimited. */
  rateLimits: { write: number; read: number; ingest: number };
  /** Requests without a valid key, per client IP and minute */
  unauthenticatedPerMinute: number;
  /** Shared rate-limit counters for several processes; in memory when unset. */
  redisUrl: string | undefined;
  auditRetentionDays: number;
}

export interface ContactsConfig {
  /** A grab that takes longer answers 504 (what it saved stays). */
  grabTimeoutMs: number;
  /** Upsert address book changes into `contacts` as they happen (sessions may override). */
  autoSync: boolean;
  /** Profile pictures fetched at once during a grab. */
  pictureConcurrency: number;
  pictureTimeoutMs: number;
}

export interface WhatsappConfig {
  /** Baileys' waWebSocketUrl; undefined keeps WhatsApp's own. */
  wsUrl: string | undefined;
  /** Pinned WhatsApp Web version; undefined keeps the one Baileys ships with. */
  version: [number, number, number] | undefined;
  /** The name the phone shows under "Linked devices". */
  deviceName: string;
  logLevel: LogLevel;
  reconnect: { baseDelayMs: number; maxDelayMs: number; maxAttempts: number };
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

export interface DatabaseConfig {
  type: DbType;
  /** SQLite file (sqlite only). */
  sqlitePath: string;
  host: string;
  port: number;
  user: string;
  password: string;
  name: string;
}

/** The validated, typed configuration. Built once at boot; a wrong value stops the start. */
export class AppConfig {
  readonly port: number;
  readonly host: string;
  /** The admin API key from API_KEY; undefined means "generate and persist one". */
  readonly apiKey: string | undefined;
  readonly dataDir: string;
  readonly database: DatabaseConfig;
  readonly logLevel: LogLevel;
  /** `true` allows any origin. */
  readonly corsOrigins: true | string[];
  readonly bodyLimit: string;
  readonly defaultCountryCode: string;
  readonly whatsapp: WhatsappConfig;
  readonly access: AccessConfig;
  readonly contacts: ContactsConfig;
  readonly messaging: MessagingConfig;
  readonly webhooks: WebhooksConfig;

  private constructor(env: EnvironmentSchema) {
    this.port = env.PORT;
    this.host = env.HOST;
    this.apiKey = env.API_KEY;
    this.dataDir = resolve(env.DATA_DIR);
    this.database = AppConfig.databaseFrom(env, this.dataDir);
    this.logLevel = env.LOG_LEVEL;
    const origins = env.CORS_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter(Boolean);
    this.corsOrigins = origins.length === 0 || origins.includes('*') ? true : origins;
    this.bodyLimit = env.BODY_LIMIT.replace(/\s+/g, '').toLowerCase();
    this.defaultCountryCode = env.DEFAULT_COUNTRY_CODE;
    this.whatsapp = {
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
    };
    this.access = {
      rateLimits: {
        write: env.RATE_LIMIT_PER_MINUTE,
        read: env.RATE_LIMIT_READ_PER_MINUTE,
        ingest: env.RATE_LIMIT_INGEST_PER_MINUTE,
      },
      unauthenticatedPerMinute: env.RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE,
      redisUrl: env.REDIS_URL,
      auditRetentionDays: env.AUDIT_RETENTION_DAYS,
    };
    this.webhooks = {
      url: env.WEBHOOK_URL,
      secret: env.WEBHOOK_SECRET,
      events: env.WEBHOOK_EVENTS.split(',')
        .map((type) => type.trim())
        .filter(Boolean),
      ingestSecret: env.WEBHOOK_INGEST_SECRET,
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      concurrency: env.WEBHOOK_CONCURRENCY,
      maxAttempts: env.WEBHOOK_MAX_ATTEMPTS,
      retryBaseDelayMs: env.WEBHOOK_RETRY_BASE_DELAY_MS,
      retryMaxDelayMs: Math.max(env.WEBHOOK_RETRY_MAX_DELAY_MS, env.WEBHOOK_RETRY_BASE_DELAY_MS),
      pauseAfterFailures: env.WEBHOOK_PAUSE_AFTER_FAILURES,
      leaseMs: env.WEBHOOK_LEASE_MS,
      pollIntervalMs: env.WEBHOOK_POLL_INTERVAL_MS,
      retentionHours: env.WEBHOOK_RETENTION_HOURS,
      rawRetentionHours: env.WEBHOOK_RAW_RETENTION_HOURS,
    };
    this.messaging = {
      minIntervalMs: env.SEND_MIN_INTERVAL_MS,
      jitterMs: env.SEND_JITTER_MS,
      queueMax: env.SEND_QUEUE_MAX,
      sendTimeoutMs: env.SEND_TIMEOUT_MS,
      media: {
        dir: resolve(env.MEDIA_DIR ?? resolve(this.dataDir, 'media')),
        maxBytes: env.MEDIA_MAX_BYTES,
        fetchTimeoutMs: env.MEDIA_FETCH_TIMEOUT_MS,
        maxRedirects: env.MEDIA_FETCH_MAX_REDIRECTS,
        allowPrivateUrls:
          env.MEDIA_URL_ALLOW_PRIVATE === 'true' || env.MEDIA_URL_ALLOW_PRIVATE === '1',
        autoDownload: env.MEDIA_AUTO_DOWNLOAD.split(',')
          .map((id) => id.trim())
          .filter(Boolean),
      },
    };
    this.contacts = {
      grabTimeoutMs: env.GRAB_TIMEOUT_MS,
      autoSync: env.CONTACTS_AUTO_SYNC === 'true' || env.CONTACTS_AUTO_SYNC === '1',
      pictureConcurrency: env.PICTURE_CONCURRENCY,
      pictureTimeoutMs: env.PICTURE_TIMEOUT_MS,
    };
  }

  /** Validates `env` (normally `process.env`); throws ConfigValidationError naming each bad variable. */
  static fromEnv(env: Record<string, string | undefined>): AppConfig {
    const defined = Object.fromEntries(
      Object.entries(env).filter(([, value]) => value !== undefined),
    );
    const schema = plainToInstance(EnvironmentSchema, defined, { exposeDefaultValues: true });
    const errors = validateSync(schema, { whitelist: false, forbidUnknownValues: false });
    if (errors.length > 0) {
      throw new ConfigValidationError(errors.map((error) => AppConfig.describe(error, env)));
    }
    return new AppConfig(schema);
  }

  private static describe(error: ValidationError, env: Record<string, string | undefined>): string {
    // A value of the wrong kind fails several constraints; the type one explains it best
    const constraints = error.constraints ?? {};
    const typeCheck = ['isInt', 'isString', 'isIn', 'matches'].find((name) => name in constraints);
    const reasons = typeCheck ? [constraints[typeCheck]] : Object.values(constraints);
    const raw = env[error.property];
    const secret = /PASSWORD|SECRET/.test(error.property) || error.property === 'API_KEY';
    const shown = secret ? '***' : raw;
    const reason = reasons[0]?.replace(new RegExp(`^${error.property}\\s+`), '') ?? 'is invalid';
    return `${error.property} ${reason}${raw === undefined ? '' : ` (got "${shown}")`}`;
  }

  private static databaseFrom(env: EnvironmentSchema, dataDir: string): DatabaseConfig {
    const sqlitePath = resolve(dataDir, 'wa-gateway.sqlite');
    if (env.DATABASE_URL) {
      const url = new URL(env.DATABASE_URL);
      if (env.DB_TYPE === 'sqlite') {
        throw new ConfigValidationError([
          'DB_TYPE is "sqlite" but DATABASE_URL points at MySQL: unset one of them',
        ]);
      }
      const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
      if (!name) {
        throw new ConfigValidationError(['DATABASE_URL must name a database (…/database)']);
      }
      return {
        type: 'mysql',
        sqlitePath,
        host: url.hostname,
        port: url.port ? Number(url.port) : 3306,
        user: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
        name,
      };
    }
    return {
      type: env.DB_TYPE === 'mysql' || env.DB_TYPE === 'mariadb' ? 'mysql' : 'sqlite',
      sqlitePath,
      host: env.DB_HOST,
      port: env.DB_PORT,
      user: env.DB_USER,
      password: env.DB_PASSWORD,
      name: env.DB_NAME,
    };
  }
}

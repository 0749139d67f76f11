import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { resolve } from 'node:path';
import { accessConfig, type AccessConfig } from '../access/access.config';
import {
  clusterConfig,
  completeClusterConfig,
  type ClusterConfig,
} from '../cluster/cluster.config';
import { contactsConfig, type ContactsConfig } from '../contacts/contacts.config';
import { campaignsConfig, type CampaignsConfig } from '../campaigns/campaigns.config';
import { messagingConfig, type MessagingConfig } from '../messaging/messaging.config';
import { webhooksConfig, type WebhooksConfig } from '../webhooks/webhooks.config';
import { whatsappConfig, type WhatsappConfig } from '../whatsapp/whatsapp.config';
import {
  ConfigValidationError,
  emptyToUndefined,
  LOG_LEVELS,
  type LogLevel,
  toInt,
  trimmed,
  validateSchema,
} from './config-section';

export { ConfigValidationError, type LogLevel } from './config-section';
export type DbType = 'sqlite' | 'mysql';

/**
 * The process-wide variables (server, database, logging). Each module defines and validates
 * its own section (`<module>/<module>.config.ts`); `AppConfig.fromEnv` assembles them, and every
 * variable documented in `.env.example` is in one of them.
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

  /**
   * A Unix socket of a MySQL server on this machine (e.g. /run/mysqld/mysqld.sock): used instead
   * of DB_HOST/DB_PORT, it spares every statement the loopback TCP stack.
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^\//, { message: 'must be an absolute path to a Unix socket' })
  DB_SOCKET_PATH?: string;

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
}

export interface DatabaseConfig {
  type: DbType;
  /** SQLite file (sqlite only). */
  sqlitePath: string;
  host: string;
  port: number;
  /** A Unix socket to connect through instead of host and port (mysql only). */
  socketPath?: string;
  user: string;
  password: string;
  name: string;
}

/** The module sections, each validated against the same environment. */
const SECTIONS = {
  whatsapp: whatsappConfig,
  access: accessConfig,
  contacts: contactsConfig,
  messaging: messagingConfig,
  webhooks: webhooksConfig,
  cluster: clusterConfig,
  campaigns: campaignsConfig,
};

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
  readonly cluster: ClusterConfig;
  readonly campaigns: CampaignsConfig;

  private constructor(env: EnvironmentSchema, sections: { [K in keyof typeof SECTIONS]: object }) {
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
    const core = { dataDir: this.dataDir };
    this.whatsapp = SECTIONS.whatsapp.build(sections.whatsapp, core);
    this.access = SECTIONS.access.build(sections.access, core);
    this.contacts = SECTIONS.contacts.build(sections.contacts, core);
    this.messaging = SECTIONS.messaging.build(sections.messaging, core);
    this.webhooks = SECTIONS.webhooks.build(sections.webhooks, core);
    this.cluster = completeClusterConfig(SECTIONS.cluster.build(sections.cluster, core), {
      port: this.port,
      mysql: this.database.type === 'mysql',
      redisUrl: this.access.redisUrl,
    });
    this.campaigns = SECTIONS.campaigns.build(sections.campaigns, core);
  }

  /** Validates `env` (normally `process.env`); throws ConfigValidationError naming each bad variable. */
  static fromEnv(env: Record<string, string | undefined>): AppConfig {
    const core = validateSchema(EnvironmentSchema, env);
    const problems = [...core.problems];
    const sections = {} as { [K in keyof typeof SECTIONS]: object };
    for (const [name, section] of Object.entries(SECTIONS) as [
      keyof typeof SECTIONS,
      (typeof SECTIONS)[keyof typeof SECTIONS],
    ][]) {
      const validated = validateSchema(section.schema, env);
      problems.push(...validated.problems);
      sections[name] = validated.values;
    }
    if (problems.length > 0) {
      throw new ConfigValidationError(problems);
    }
    const config = new AppConfig(core.values, sections);
    if (config.cluster.enabled && !config.apiKey) {
      // the processes forward requests to each other with it, and it must be one key for all
      throw new ConfigValidationError([
        'API_KEY must be set (the same value on every process) in cluster mode (REDIS_URL with a MySQL database)',
      ]);
    }
    return config;
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
        socketPath: env.DB_SOCKET_PATH,
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
      socketPath: env.DB_SOCKET_PATH,
      user: env.DB_USER,
      password: env.DB_PASSWORD,
      name: env.DB_NAME,
    };
  }
}

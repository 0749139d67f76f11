import { resolve } from 'node:path';
import { AppConfig, ConfigValidationError } from './app-config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    AppConfig.fromEnv(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      return error.problems;
    }
    throw error;
  }
  return [];
}

describe('AppConfig', () => {
  it('has working defaults: SQLite in ./data, port 3000, country code 62', () => {
    const config = AppConfig.fromEnv({});
    expect(config.port).toBe(3000);
    expect(config.database.type).toBe('sqlite');
    expect(config.database.sqlitePath).toBe(resolve('data', 'wa-gateway.sqlite'));
    expect(config.apiKey).toBeUndefined();
    expect(config.logLevel).toBe('info');
    expect(config.corsOrigins).toBe(true);
    expect(config.bodyLimit).toBe('10mb');
    expect(config.defaultCountryCode).toBe('62');
  });

  it('names the variable and the bad value when one is wrong', () => {
    expect(problemsOf({ PORT: 'abc' })).toEqual([expect.stringMatching(/^PORT .*\(got "abc"\)$/)]);
    expect(problemsOf({ DB_TYPE: 'postgres' })[0]).toMatch(
      /^DB_TYPE must be one of: sqlite, mysql, mariadb/,
    );
    expect(problemsOf({ LOG_LEVEL: 'loud' })[0]).toMatch(/^LOG_LEVEL /);
    expect(problemsOf({ BODY_LIMIT: 'huge' })[0]).toMatch(/^BODY_LIMIT /);
    expect(problemsOf({ DEFAULT_COUNTRY_CODE: '+62' })[0]).toMatch(/^DEFAULT_COUNTRY_CODE /);
  });

  it('reports every bad variable at once and never echoes secrets', () => {
    const problems = problemsOf({ PORT: '70000', API_KEY: 'short', DB_PORT: 'x' });
    expect(problems.map((problem) => problem.split(' ')[0]).sort()).toEqual([
      'API_KEY',
      'DB_PORT',
      'PORT',
    ]);
    expect(problems.join('\n')).not.toContain('short');
  });

  it('switches to MySQL with DB_TYPE=mysql and the DB_* variables', () => {
    const config = AppConfig.fromEnv({
      DB_TYPE: 'mysql',
      DB_HOST: 'db.internal',
      DB_PORT: '3307',
      DB_USER: 'gw',
      DB_PASSWORD: 'secret',
      DB_NAME: 'gateway',
    });
    expect(config.database).toMatchObject({
      type: 'mysql',
      host: 'db.internal',
      port: 3307,
      user: 'gw',
      password: 'secret',
      name: 'gateway',
    });
  });

  it('connects through DB_SOCKET_PATH when set, and refuses a relative one', () => {
    const config = AppConfig.fromEnv({
      DB_TYPE: 'mysql',
      DB_SOCKET_PATH: '/run/mysqld/mysqld.sock',
    });
    expect(config.database).toMatchObject({
      type: 'mysql',
      socketPath: '/run/mysqld/mysqld.sock',
    });
    expect(AppConfig.fromEnv({ DB_TYPE: 'mysql' }).database.socketPath).toBeUndefined();
    expect(problemsOf({ DB_SOCKET_PATH: 'mysqld.sock' })).toEqual([
      expect.stringContaining('DB_SOCKET_PATH must be an absolute path to a Unix socket'),
    ]);
  });

  it('reads DATABASE_URL, which implies MySQL and wins over DB_*', () => {
    const config = AppConfig.fromEnv({
      DATABASE_URL: 'mysql://gw:p%40ss@db:3310/wa_prod',
      DB_HOST: 'ignored',
    });
    expect(config.database).toMatchObject({
      type: 'mysql',
      host: 'db',
      port: 3310,
      user: 'gw',
      password: 'p@ss',
      name: 'wa_prod',
    });
    expect(problemsOf({ DATABASE_URL: 'postgres://x@y/z' })[0]).toMatch(/^DATABASE_URL /);
    expect(problemsOf({ DATABASE_URL: 'mysql://x@y/z', DB_TYPE: 'sqlite' })[0]).toMatch(/DB_TYPE/);
  });

  it('parses CORS_ORIGINS as a list, * meaning any origin', () => {
    expect(
      AppConfig.fromEnv({ CORS_ORIGINS: 'https://a.example, https://b.example' }).corsOrigins,
    ).toEqual(['https://a.example', 'https://b.example']);
    expect(AppConfig.fromEnv({ CORS_ORIGINS: '*' }).corsOrigins).toBe(true);
  });

  it('reads the WhatsApp settings: socket URL, pinned version, device name, reconnect limits, store before receipt', () => {
    const config = AppConfig.fromEnv({
      WA_WS_URL: 'ws://127.0.0.1:9999',
      WA_VERSION: '2.3000.1027934701',
      WA_DEVICE_NAME: 'Acme CRM',
      WA_RECONNECT_BASE_DELAY_MS: '500',
      WA_RECONNECT_MAX_DELAY_MS: '10000',
      WA_RECONNECT_MAX_ATTEMPTS: '0',
    });
    expect(config.whatsapp).toEqual({
      wsUrl: 'ws://127.0.0.1:9999',
      version: [2, 3000, 1027934701],
      deviceName: 'Acme CRM',
      logLevel: 'warn',
      reconnect: { baseDelayMs: 500, maxDelayMs: 10000, maxAttempts: 0 },
      storeBeforeReceipt: true,
    });
    expect(
      AppConfig.fromEnv({ WA_STORE_BEFORE_RECEIPT: 'false' }).whatsapp.storeBeforeReceipt,
    ).toBe(false);
    expect(problemsOf({ WA_STORE_BEFORE_RECEIPT: 'maybe' })[0]).toMatch(
      /^WA_STORE_BEFORE_RECEIPT must be true or false/,
    );
    expect(AppConfig.fromEnv({ WA_VERSION: '2,3000,1' }).whatsapp.version).toEqual([2, 3000, 1]);
    expect(AppConfig.fromEnv({}).whatsapp).toMatchObject({ wsUrl: undefined, version: undefined });
    expect(problemsOf({ WA_WS_URL: 'http://x' })[0]).toMatch(
      /^WA_WS_URL must be a ws:\/\/ or wss:\/\/ URL/,
    );
    expect(problemsOf({ WA_VERSION: 'latest' })[0]).toMatch(/^WA_VERSION /);
    expect(problemsOf({ WA_RECONNECT_MAX_ATTEMPTS: '-1' })[0]).toMatch(
      /^WA_RECONNECT_MAX_ATTEMPTS /,
    );
  });

  it('reads the contacts settings: grab timeout, auto-sync, picture concurrency and timeout', () => {
    expect(AppConfig.fromEnv({}).contacts).toEqual({
      grabTimeoutMs: 120_000,
      autoSync: false,
      pictureConcurrency: 8,
      pictureTimeoutMs: 5_000,
    });
    const config = AppConfig.fromEnv({
      GRAB_TIMEOUT_MS: '5000',
      CONTACTS_AUTO_SYNC: 'true',
      PICTURE_CONCURRENCY: '4',
      PICTURE_TIMEOUT_MS: '800',
    });
    expect(config.contacts).toEqual({
      grabTimeoutMs: 5000,
      autoSync: true,
      pictureConcurrency: 4,
      pictureTimeoutMs: 800,
    });
    expect(problemsOf({ CONTACTS_AUTO_SYNC: 'yes' })[0]).toMatch(
      /^CONTACTS_AUTO_SYNC must be true or false/,
    );
    expect(problemsOf({ GRAB_TIMEOUT_MS: 'soon' })[0]).toMatch(/^GRAB_TIMEOUT_MS /);
    expect(problemsOf({ PICTURE_CONCURRENCY: '0' })[0]).toMatch(/^PICTURE_CONCURRENCY /);
  });

  it('reads the send pacing settings, with defaults that pace', () => {
    const defaults = AppConfig.fromEnv({}).messaging;
    expect(defaults.media.dir).toMatch(/data[\\/]media$/);
    expect(defaults).toEqual({
      minIntervalMs: 1000,
      jitterMs: 1000,
      queueMax: 1000,
      sendTimeoutMs: 120_000,
      media: {
        dir: defaults.media.dir,
        fetchTimeoutMs: 30_000,
        maxBytes: 16 * 1024 * 1024,
        maxRedirects: 3,
        allowPrivateUrls: false,
        autoDownload: [],
      },
    });
    expect(AppConfig.fromEnv({ MEDIA_URL_ALLOW_PRIVATE: 'true' }).messaging.media).toMatchObject({
      allowPrivateUrls: true,
    });
    expect(
      AppConfig.fromEnv({ MEDIA_AUTO_DOWNLOAD: 'sales, support' }).messaging.media.autoDownload,
    ).toEqual(['sales', 'support']);
    expect(AppConfig.fromEnv({ MEDIA_AUTO_DOWNLOAD: '*' }).messaging.media.autoDownload).toEqual([
      '*',
    ]);
    expect(problemsOf({ MEDIA_AUTO_DOWNLOAD: '../etc' })[0]).toMatch(/^MEDIA_AUTO_DOWNLOAD /);
    expect(problemsOf({ MEDIA_URL_ALLOW_PRIVATE: 'maybe' })[0]).toMatch(
      /^MEDIA_URL_ALLOW_PRIVATE must be true or false/,
    );
    expect(
      AppConfig.fromEnv({
        SEND_MIN_INTERVAL_MS: '0',
        SEND_JITTER_MS: '0',
        SEND_QUEUE_MAX: '5',
        SEND_TIMEOUT_MS: '2000',
      }).messaging,
    ).toMatchObject({ minIntervalMs: 0, jitterMs: 0, queueMax: 5, sendTimeoutMs: 2000 });
    expect(problemsOf({ SEND_MIN_INTERVAL_MS: '-1' })[0]).toMatch(/^SEND_MIN_INTERVAL_MS /);
    expect(problemsOf({ SEND_QUEUE_MAX: '0' })[0]).toMatch(/^SEND_QUEUE_MAX /);
    expect(problemsOf({ SEND_TIMEOUT_MS: 'soon' })[0]).toMatch(/^SEND_TIMEOUT_MS /);
  });

  it('reads the webhook settings, naming a bad one', () => {
    const config = AppConfig.fromEnv({
      WEBHOOK_URL: 'https://hooks.example.com/wa',
      WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      WEBHOOK_EVENTS: 'Message, ReadReceipt',
    });
    expect(config.webhooks).toMatchObject({
      url: 'https://hooks.example.com/wa',
      events: ['Message', 'ReadReceipt'],
      maxAttempts: 10,
      timeoutMs: 10_000,
    });
    expect(AppConfig.fromEnv({}).webhooks).toMatchObject({ url: undefined, events: ['*'] });
    expect(problemsOf({ WEBHOOK_URL: 'ftp://x' })[0]).toMatch(/^WEBHOOK_URL must be an http/);
    const secret = problemsOf({ WEBHOOK_SECRET: 'short secret!' });
    expect(secret[0]).toMatch(/^WEBHOOK_SECRET must be a Standard Webhooks secret/);
    expect(secret.join('\n')).not.toContain('short secret!');
  });
});

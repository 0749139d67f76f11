import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { APP_OPTIONS, configureApp, createApp } from '../../src/app.factory';
import { AppModule } from '../../src/app.module';
import { AppConfig } from '../../src/config/app-config';
import { Clock } from '../../src/messaging/clock';
import { createTestDatabase, TestDatabase } from './test-database';

export const TEST_API_KEY = 'test-api-key-0123456789abcdef';

export interface TestApp {
  app: NestExpressApplication;
  url: string;
  apiKey: string;
  db: TestDatabase;
  /** fetch() against the app with the API key as a Bearer token. */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** POST with a JSON body (or none). */
  post(path: string, body?: unknown): Promise<Response>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Replaces the app's clock wherever it is provided (campaign pacing, presence auto-stop). */
  clock?: Clock;
}

/**
 * Boots the real application (same factory as main.ts) on a free port with a fresh database
 * of the current tier. `env` overrides configuration variables.
 */
export async function startTestApp(
  env: Record<string, string | undefined> = {},
  existingDb?: TestDatabase,
  options: TestAppOptions = {},
): Promise<TestApp> {
  const db = existingDb ?? (await createTestDatabase());
  const config = AppConfig.fromEnv({
    API_KEY: TEST_API_KEY,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...db.env,
    ...env,
    PORT: '0',
    HOST: '127.0.0.1',
  });
  const app = options.clock
    ? await createAppWithClock(config, options.clock)
    : await createApp(config);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const apiKey = config.apiKey ?? '';
  const request = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${url}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${apiKey}`, ...(init.headers as Record<string, string>) },
    });
  return {
    app,
    url,
    apiKey,
    db,
    request,
    post: (path, body) =>
      request(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    close: async () => {
      await app.close();
      if (!existingDb) {
        await db.drop();
      }
    },
  };
}

/** The same application as `createApp`'s, built from a testing module with `clock` in place. */
async function createAppWithClock(
  config: AppConfig,
  clock: Clock,
): Promise<NestExpressApplication> {
  const module = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] })
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  return configureApp(module.createNestApplication<NestExpressApplication>(APP_OPTIONS), config);
}

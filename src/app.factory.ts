import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { PeerClient } from './cluster/peer-client';
import { sessionForwarder } from './cluster/session-forwarder';
import { SessionOwnership } from './cluster/session-ownership';
import { useBodyParsers } from './common/http/body-parsers';
import { createValidationPipe } from './common/http/validation';
import { AppConfig } from './config/app-config';
import { setupSwagger } from './docs/swagger';
import { requestLogger } from './logging/logging.module';
import { WsAdapter } from './realtime/ws-adapter';
import { INGEST_PATH, IngestRoute } from './webhooks/ingest/ingest-route';
import { SEND_PATH, SendRoute } from './messaging/send-route';

/** How the application is created (`NestFactory.create`, or a testing module's). */
export const APP_OPTIONS = {
  bufferLogs: true,
  bodyParser: false,
  forceCloseConnections: true,
} as const;

/**
 * Builds the whole application for a configuration. `main.ts` listens on it; e2e tests boot
 * exactly the same app on a free port.
 */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config),
    APP_OPTIONS,
  );
  return configureApp(app, config);
}

/**
 * What `createApp` does to the created application: its middleware, the routes ahead of Nest's,
 * pipes, sockets and docs. Tests that replace a provider (the clock) build the application from
 * a testing module of `AppModule.forRoot(config)` and finish it here, as `createApp` does.
 */
export function configureApp(
  app: NestExpressApplication,
  config: AppConfig,
): NestExpressApplication {
  app.useLogger(app.get(Logger));
  if (config.cluster.enabled) {
    // before the body parsers: a forwarded request's body streams through as it came
    app.use(sessionForwarder(app.get(SessionOwnership), app.get(PeerClient), config.apiKey ?? ''));
  }
  useBodyParsers(app, config.bodyLimit);
  app.enableCors({
    origin: config.corsOrigins,
    allowedHeaders: ['Authorization', 'X-API-Key', 'Content-Type', 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id'],
  });
  app.disable('x-powered-by');
  // ahead of Nest's middleware and routes: the webhook ingest and JSON sends skip Nest's pipeline
  // (see servePlain)
  const express = app.getHttpAdapter().getInstance();
  express.post(INGEST_PATH, app.get(IngestRoute).handle);
  express.post(SEND_PATH, app.get(SendRoute).handle);
  // where nestjs-pino's middleware would be (it is not mounted: see requestLogger)
  app.use(requestLogger(config));
  app.useGlobalPipes(createValidationPipe());
  app.useWebSocketAdapter(new WsAdapter(app, config));
  setupSwagger(app);
  return app;
}

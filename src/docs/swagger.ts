import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { BEARER_SCHEME, HEADER_KEY_SCHEME } from './api-docs.decorators';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('wa-gateway')
    .setDescription(
      [
        'Multi-session WhatsApp gateway. Every route except `/health` and these docs needs the API key,',
        'sent as `Authorization: Bearer <key>` or `X-API-Key: <key>`: use **Authorize** above.',
        '',
        'Responses use one envelope: `{"success": true, "message": ..., "data": ...}` or',
        '`{"success": false, "message": ..., "error"?: ..., "errors"?: [...]}`.',
      ].join('\n'),
    )
    .setVersion('0.1.0')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'The admin API key' },
      BEARER_SCHEME,
    )
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'The admin API key' },
      HEADER_KEY_SCHEME,
    )
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Swagger UI at /docs and the OpenAPI JSON at /docs-json (both public). */
export function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'wa-gateway API',
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true },
  });
}

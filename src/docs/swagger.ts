import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { defaultPermission, PERMISSION_EXTENSION } from '../access/permissions';
import { BEARER_SCHEME, HEADER_KEY_SCHEME } from './api-docs.decorators';

/**
 * Every private operation states the permission it needs (`x-permission`): the one its route
 * declares, else the default the guard applies (`read` for GET, `manage` for other methods).
 */
function withPermissions(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const op = operation as Record<string, unknown> | undefined;
      if (op && Array.isArray(op.security) && op[PERMISSION_EXTENSION] === undefined) {
        op[PERMISSION_EXTENSION] = defaultPermission(method.toUpperCase());
      }
    }
  }
  return document;
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('wa-gateway')
    .setDescription(
      [
        'Multi-session WhatsApp gateway. Every route except `/health` and these docs needs the API key,',
        'sent as `Authorization: Bearer <key>` or `X-API-Key: <key>`: use **Authorize** above.',
        '',
        'Scoped keys (`POST /api-keys`) need the permission an operation names as `x-permission`.',
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
  return withPermissions(SwaggerModule.createDocument(app, config));
}

/** Swagger UI at /docs and the OpenAPI JSON at /docs-json (both public). */
export function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'wa-gateway API',
    swaggerOptions: {
      persistAuthorization: true,
      displayRequestDuration: true,
      showExtensions: true,
    },
  });
}

import { startTestApp, TestApp } from '../support/test-app';

interface Operation {
  summary?: string;
  security?: Record<string, string[]>[];
  responses: Record<string, unknown>;
}

describe('OpenAPI document', () => {
  let gateway: TestApp;
  let document: {
    paths: Record<string, Record<string, Operation>>;
    components: {
      securitySchemes: Record<
        string,
        { type: string; scheme?: string; in?: string; name?: string }
      >;
    };
  };

  beforeAll(async () => {
    gateway = await startTestApp();
    document = (await (await fetch(`${gateway.url}/docs-json`)).json()) as typeof document;
  });
  afterAll(async () => {
    await gateway?.close();
  });

  const PUBLIC = new Set(['GET /health']);

  function operations(): [string, Operation][] {
    return Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]): [string, Operation] => [
        `${method.toUpperCase()} ${path}`,
        operation,
      ]),
    );
  }

  it('declares both key schemes so the Authorize button works', () => {
    expect(document.components.securitySchemes.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    expect(document.components.securitySchemes['api-key']).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'X-API-Key',
    });
  });

  it('puts a security requirement on every route except the public ones', () => {
    const all = operations();
    expect(all.length).toBeGreaterThanOrEqual(3);
    for (const [name, operation] of all) {
      if (PUBLIC.has(name)) {
        expect({ name, security: operation.security }).toEqual({ name, security: undefined });
      } else {
        expect({ name, security: operation.security }).toEqual({
          name,
          security: expect.arrayContaining([{ bearer: [] }, { 'api-key': [] }]),
        });
      }
    }
  });

  it('gives every route a summary and documents its 401 when private', () => {
    for (const [name, operation] of operations()) {
      expect({ name, summary: typeof operation.summary }).toEqual({ name, summary: 'string' });
      if (!PUBLIC.has(name)) {
        expect({ name, has401: '401' in operation.responses }).toEqual({ name, has401: true });
      }
    }
  });

  it('documents request bodies from the DTOs (the same Swagger plugin as the build)', () => {
    const schemas = (
      document.components as unknown as { schemas: Record<string, { properties?: object }> }
    ).schemas;
    expect(Object.keys(schemas.CreateSessionDto.properties ?? {})).toEqual(['sessionId', 'name']);
    expect(Object.keys(schemas.PairingCodeRequestDto.properties ?? {})).toEqual(['phoneNumber']);
  });
});

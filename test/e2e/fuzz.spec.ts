import fc from 'fast-check';
import { MESSAGE_METADATA } from '@nestjs/websockets/constants';
import { DataSource } from 'typeorm';
import type { WaSimulator } from '../wa-sim';
import { SessionsGateway } from '../../src/realtime/sessions.gateway';
import { SessionEvents, SessionQrEvent } from '../../src/whatsapp/session-events';
import { nextSessionEvent, startGateway, startSimulator } from '../support/gateway-with-sim';
import { OpenApiDocument, privateRoutes, requestFor, Route } from '../support/openapi-walk';
import { connectSocket } from '../support/socket-client';
import type { TestApp } from '../support/test-app';
import { testTier } from '../support/test-database';

/**
 * Property-based fuzz of every documented route (path parameters, query strings, JSON bodies)
 * and every socket.io event's payload: never a 500, never a stack trace or SQL in a body, the
 * process stays up, and a rejected request leaves the stored data as it was. Seeded: a failure
 * prints the seed, and FUZZ_SEED=<seed> replays it.
 */
const HTTP_RUNS = Number(process.env.FUZZ_HTTP_RUNS ?? 2200);
const SOCKET_RUNS = Number(process.env.FUZZ_SOCKET_RUNS ?? 400);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2_147_483_647);

/** Routes whose success changes what the fuzz compares: they only get unknown sessions. */
// Never on the known session: these end or restart it, or (PATCH, which may turn on contacts
// auto-sync) let the engine write contacts later on its own, after the request was answered
const DESTRUCTIVE = /\/(start|stop|restart|logout|replay)$|^DELETE |^PATCH \/sessions\/\{id\}$/;

const LEAKS = [
  /\n\s+at .+\(.+:\d+:\d+\)/, // a stack frame
  /\b(SELECT|INSERT INTO|UPDATE .+ SET|DELETE FROM)\b/,
  // driver error codes (SQLITE_CONSTRAINT, ER_DUP_ENTRY): whole codes, so that a fuzzed field name
  // the validator echoes back ("ER_Sci[") is not taken for one
  /\bSQLITE_[A-Z]{4,}|\bER_[A-Z][A-Z_]{3,}\b|QueryFailedError|TypeError|ReferenceError/,
];

const weird = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    '..',
    '../etc/passwd',
    '%00',
    "' OR 1=1 --",
    '*',
    'null',
    '-1',
    '1e309',
    'x'.repeat(300),
  ),
  fc.integer().map(String),
);
const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }),
);

jest.setTimeout(300_000);

describe(`fuzz: every route and socket event (${testTier()})`, () => {
  let sim: WaSimulator;
  let untrust: () => void;
  let gateway: TestApp;
  let document: OpenApiDocument;
  let routes: Route[];

  beforeAll(async () => {
    ({ sim, untrust } = await startSimulator());
    gateway = await startGateway(sim);
    const qr = nextSessionEvent<SessionQrEvent>(gateway, SessionEvents.Qr, 'fuzz-1');
    await gateway.post('/sessions', { sessionId: 'fuzz-1' });
    const connected = nextSessionEvent(gateway, SessionEvents.Connected, 'fuzz-1');
    await sim.scan((await qr).qr, { name: 'Fuzzy', contacts: 3, groups: 1 });
    await connected;
    document = (await (await fetch(`${gateway.url}/docs-json`)).json()) as OpenApiDocument;
    routes = privateRoutes(document);
    process.stdout.write(`fuzz (${testTier()}): seed ${SEED} (replay with FUZZ_SEED=${SEED})\n`);
  });
  afterAll(async () => {
    await gateway?.close();
    await sim?.stop();
    untrust?.();
  });

  /** What a rejected request must not change: every table's row count, and the stored sessions (their live state moves on its own). */
  async function snapshot(): Promise<string> {
    const dataSource = gateway.app.get(DataSource);
    const tables = dataSource.entityMetadatas.map((entity) => entity.tableName).sort();
    const counts: string[] = [];
    for (const table of tables) {
      // Written by the engine on its own (Signal keys, the address book from history sync), or
      // for failures too (the audit trail): not what a request may change
      if (
        table === 'wa_auth_keys' ||
        table === 'audit_events' ||
        table.startsWith('address_book_')
      ) {
        continue;
      }
      const [row] = await dataSource.query<{ n: number }[]>(`SELECT COUNT(*) AS n FROM ${table}`);
      counts.push(`${table}=${Number(row.n)}`);
    }
    // Not auto_start: the engine clears it on its own when a fuzz-created session's QR code is
    // not scanned in time, whatever request came last
    const sessions = await dataSource.query<unknown[]>(
      'SELECT session_id, name FROM whatsapp_sessions ORDER BY session_id',
    );
    return `${counts.join(',')}|${JSON.stringify(sessions)}`;
  }

  it(`HTTP: ${HTTP_RUNS} cases over every documented route`, async () => {
    let cases = 0;
    // The stored data as the last accepted request left it; a rejected one must not change it
    let stored = await snapshot();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: routes.length - 1 }),
        fc.boolean(),
        fc.dictionary(fc.string({ maxLength: 10 }), weird, { maxKeys: 4 }),
        fc.option(jsonish, { nil: undefined }),
        fc.array(weird, { minLength: 3, maxLength: 3 }),
        async (index, knownSession, extraQuery, body, pathValues) => {
          cases += 1;
          const route = routes[index];
          const name = `${route.method} ${route.path}`;
          const useKnown = knownSession && !DESTRUCTIVE.test(name);
          const built = requestFor(document, route, useKnown ? 'fuzz-1' : pathValues[0] || 'x');
          // Replace every other path parameter with fuzz, and add fuzzed query fields
          let url = built.url.split('?')[0];
          let i = 1;
          for (const parameter of route.operation.parameters ?? []) {
            if (parameter.in === 'path' && parameter.name !== route.sessionParam) {
              url = url.replace(
                encodeURIComponent(JSON.stringify(parameter.example ?? 'x').replace(/^"|"$/g, '')),
                encodeURIComponent(pathValues[i % 3] || 'x'),
              );
              i += 1;
            }
          }
          const query = new URLSearchParams(built.url.split('?')[1] ?? '');
          for (const [key, value] of Object.entries(extraQuery)) {
            query.set(key, value);
          }
          const search = query.toString();
          const response = await fetch(`${gateway.url}${url}${search ? `?${search}` : ''}`, {
            method: route.method,
            headers: {
              Authorization: `Bearer ${gateway.apiKey}`,
              ...(route.method === 'GET' ? {} : { 'Content-Type': 'application/json' }),
            },
            body:
              route.method === 'GET'
                ? undefined
                : body === undefined
                  ? built.init.body
                  : JSON.stringify(body),
          });
          const text = await response.text();
          const where = `${name} -> ${url}?${search}: ${response.status} ${text.slice(0, 300)}`;
          expect({
            where,
            status: response.status < 500 || response.status === 503 || response.status === 504,
          }).toEqual({ where, status: true });
          for (const leak of LEAKS) {
            expect({ where, leak: leak.test(text) }).toEqual({ where, leak: false });
          }
          if (response.status >= 400 && response.status < 500) {
            expect({ where, envelope: JSON.parse(text) as unknown }).toMatchObject({
              where,
              envelope: { success: false, message: expect.any(String) },
            });
            expect({ where, data: await snapshot() }).toEqual({ where, data: stored });
          } else {
            stored = await snapshot();
          }
        },
      ),
      { numRuns: HTTP_RUNS, seed: SEED, endOnFailure: true },
    );
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
    process.stdout.write(
      `fuzz (${testTier()}): ${cases} HTTP cases over ${routes.length} routes, seed ${SEED}\n`,
    );
  });

  it(`socket.io: ${SOCKET_RUNS} cases over every client event`, async () => {
    const gatewayInstance = gateway.app.get(SessionsGateway);
    const prototype = Object.getPrototypeOf(gatewayInstance) as Record<string, unknown>;
    const events = Object.getOwnPropertyNames(prototype)
      .map((name) => prototype[name])
      .filter((member): member is object => typeof member === 'function')
      .map((member) => Reflect.getMetadata(MESSAGE_METADATA, member) as unknown)
      .filter((event): event is string => typeof event === 'string')
      .sort();
    expect(events.length).toBeGreaterThan(8);
    const socket = await connectSocket(gateway.url, { auth: { token: gateway.apiKey } });
    // Every event the gateway emits to this client (replies, errors, broadcasts) is scanned too
    let received: string[] = [];
    socket.onAny((name: string, body: unknown) => {
      received.push(`${name} ${JSON.stringify(body)}`);
    });
    let cases = 0;
    // As over HTTP: an event the gateway refuses leaves the stored data as it was
    let stored = await snapshot();
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...events),
          fc.oneof(jsonish, fc.record({ sessionId: weird }, { requiredKeys: [] }), weird),
          async (event, payload) => {
            cases += 1;
            if (
              /stop|logout|load_sessions|start/.test(event) &&
              typeof payload === 'object' &&
              payload !== null &&
              (payload as { sessionId?: unknown }).sessionId === 'fuzz-1'
            ) {
              return;
            }
            const ack = (await socket.timeout(10_000).emitWithAck(event, payload)) as {
              success: boolean;
              message: string;
            };
            const where = `${event} ${JSON.stringify(payload)?.slice(0, 200)}: ${JSON.stringify(ack)?.slice(0, 200)}`;
            expect({
              where,
              ok: typeof ack?.success === 'boolean' && typeof ack.message === 'string',
            }).toEqual({ where, ok: true });
            expect({ where, internal: ack.message === 'Internal server error' }).toEqual({
              where,
              internal: false,
            });
            const replies = [JSON.stringify(ack), ...received].join('\n');
            received = [];
            for (const leak of LEAKS) {
              expect({ where, leak: leak.test(replies) }).toEqual({ where, leak: false });
            }
            if (ack.success) {
              stored = await snapshot();
            } else {
              expect({ where, data: await snapshot() }).toEqual({ where, data: stored });
            }
          },
        ),
        { numRuns: SOCKET_RUNS, seed: SEED, endOnFailure: true },
      );
    } finally {
      socket.close();
    }
    expect(socket.disconnected).toBe(true);
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
    process.stdout.write(
      `fuzz (${testTier()}): ${cases} socket.io cases over ${events.length} events, seed ${SEED}\n`,
    );
  });
});

/**
 * Webhook benchmark on the built gateway process (run on MariaDB: TEST_DB_TIER=mysql, with
 * TEST_DB_HOST/PORT/USER/PASSWORD as for the tests):
 *   TEST_DB_TIER=mysql npx tsx bench/webhooks.ts
 * 1. Ingest: autocannon posts 003 Message events with distinct ids to POST /api/v1/webhook for
 *    20 s; prints events/s, p50/p99 latency and acknowledged vs stored counts.
 * 2. Dispatch: 50,000 deliveries queued in webhook_deliveries (50 sessions) to a local receiver;
 *    prints deliveries/s and that every one arrived.
 * BENCH_INGEST_SECONDS, BENCH_DELIVERIES change the sizes; BENCH_CPU_PROF=<dir> profiles the gateway;
 * BENCH_QUERIES=1 prints the SQL statements per ingested event (bench/query-counter.js, MariaDB only),
 * counted from the start of the ingest until its deliveries have drained. BENCH_INGEST_ONLY=1: no
 * webhook target (the ingested events are stored, not delivered) and no dispatch phase.
 */
import '../test/wa-sim/tsx-esm-resolve';
import autocannon from 'autocannon';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import Database from 'better-sqlite3';
import { buildGateway, startGatewayProcess } from '../test/support/built-gateway';
import { createTestDatabase, testTier } from '../test/support/test-database';

const KEY = 'bench-webhooks-key-0123456789';
const INGEST_SECONDS = Number(process.env.BENCH_INGEST_SECONDS ?? 20);
const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 50_000);
const SESSIONS = 50;
const COUNT_QUERIES = process.env.BENCH_QUERIES === '1';
const INGEST_ONLY = process.env.BENCH_INGEST_ONLY === '1';

/** user + system CPU time of a process, in ms (from /proc; USER_HZ is 100 on Linux). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

async function main(): Promise<void> {
  mkdirSync(join(__dirname, '..', '.test-build'), { recursive: true });
  const build = buildGateway();
  const db = await createTestDatabase();
  const received = new Set<string>();
  let requests = 0;
  const receiver = createServer((req, res) => {
    requests++;
    const id = String(req.headers['webhook-id']);
    if (id.startsWith('msg_bench_')) {
      received.add(id);
    }
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  receiver.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const gateway = await startGatewayProcess(
    build.mainJs,
    {
      ...db.env,
      API_KEY: KEY,
      LOG_LEVEL: 'info',
      ...(INGEST_ONLY ? {} : { WEBHOOK_URL: receiverUrl }),
      WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      WEBHOOK_POLL_INTERVAL_MS: '100',
    },
    [
      // BENCH_CPU_PROF=<dir>: a V8 CPU profile of the gateway, written when it exits
      ...(process.env.BENCH_CPU_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
        : []),
      ...(COUNT_QUERIES ? ['-r', join(__dirname, 'query-counter.js')] : []),
    ],
  );
  /** With BENCH_QUERIES=1: the gateway's SQL statements by kind since the last call. */
  const queryCounts = async (): Promise<Record<string, number>> => {
    if (!COUNT_QUERIES) {
      return {};
    }
    const seen = gateway.lines.length;
    gateway.child.kill('SIGUSR2');
    const started = performance.now();
    let line: string | undefined;
    while (line === undefined && performance.now() - started < 5_000) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      line = gateway.lines.slice(seen).find((candidate) => candidate.startsWith('query-count '));
    }
    return line ? (JSON.parse(line.slice('query-count '.length)) as Record<string, number>) : {};
  };
  const query = async (sql: string, params: unknown[] = []): Promise<unknown[]> => {
    if (testTier() === 'mysql') {
      const { host, port, user, password, name } = db.config;
      const connection = await createConnection({ host, port, user, password, database: name });
      try {
        return (await connection.query(sql, params))[0] as unknown[];
      } finally {
        await connection.end();
      }
    }
    const sqlite = new Database(db.config.sqlitePath);
    try {
      const statement = sqlite.prepare(sql);
      return statement.reader ? statement.all(...params) : [statement.run(...params)];
    } finally {
      sqlite.close();
    }
  };
  try {
    console.log(`tier: ${testTier()}, ${new Date().toISOString()}`);
    // 1. Ingest
    let seq = 0;
    await queryCounts();
    const cpuBefore = cpuMs(gateway.child.pid as number);
    const result = await autocannon({
      url: `${gateway.url}/api/v1/webhook`,
      method: 'POST',
      connections: 64,
      duration: INGEST_SECONDS,
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      requests: [
        {
          setupRequest: (request) => {
            seq++;
            return {
              ...request,
              body: JSON.stringify({
                type: 'Message',
                token: `bench-${seq % SESSIONS}`,
                event: {
                  Info: {
                    ID: `BENCH${seq.toString(16).toUpperCase().padStart(12, '0')}`,
                    Sender: '6289668176764@s.whatsapp.net',
                    Chat: '6281233784490@s.whatsapp.net',
                    IsFromMe: false,
                    IsGroup: false,
                    PushName: 'Yoga',
                    Type: 'text',
                    Timestamp: '2025-08-14T14:55:01+07:00',
                  },
                  Message: { conversation: `message ${seq}` },
                },
              }),
            };
          },
        },
      ],
    });
    const acknowledged = result['2xx'];
    const cpuPerEvent =
      (cpuMs(gateway.child.pid as number) - cpuBefore) / Math.max(1, acknowledged);
    const [stored] = (await query(
      "SELECT COUNT(*) AS n FROM whatsapp_messages WHERE message_id LIKE 'BENCH%'",
    )) as { n: number | string }[];
    console.log(
      `ingest: ${Math.round(acknowledged / INGEST_SECONDS)} events/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, acknowledged ${acknowledged}, stored ${Number(stored.n)}, non-2xx ${result.non2xx}, errors ${result.errors}, gateway CPU ${cpuPerEvent.toFixed(2)} ms/event`,
    );

    // The ingested messages' own deliveries go out first, so the dispatch phase has the queue to itself
    const drainStarted = performance.now();
    let pendingLeft = Number.POSITIVE_INFINITY;
    while (pendingLeft > 0 && performance.now() - drainStarted < 300_000) {
      const [row] = (await query(
        "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'pending'",
      )) as { n: number | string }[];
      pendingLeft = Number(row.n);
      if (pendingLeft > 0) {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    console.log(
      `ingest deliveries: ${requests} sent to the receiver, drained ${((performance.now() - drainStarted) / 1000).toFixed(1)} s after the load stopped, ${pendingLeft} still pending`,
    );
    if (COUNT_QUERIES) {
      const counts = Object.entries(await queryCounts()).sort((a, b) => b[1] - a[1]);
      const total = counts.reduce((sum, [, n]) => sum + n, 0);
      const per = (n: number): string => (n / Math.max(1, acknowledged)).toFixed(3);
      console.log(
        `ingest SQL statements per event: ${per(total)} (${counts.map(([kind, n]) => `${kind} ${per(n)}`).join(', ')})`,
      );
    }

    if (INGEST_ONLY) {
      return;
    }
    // 2. Dispatch
    const now = new Date().toISOString().slice(0, 23).replace('T', ' ');
    const chunk = 1000;
    for (let start = 0; start < DELIVERIES; start += chunk) {
      const rows: unknown[] = [];
      const marks: string[] = [];
      for (let i = start; i < Math.min(DELIVERIES, start + chunk); i++) {
        const body = JSON.stringify({
          type: 'Connected',
          token: `bench-${i % SESSIONS}`,
          event: { N: i },
        });
        rows.push(
          `msg_bench_${i}`,
          'global',
          `bench-${i % SESSIONS}`,
          'Connected',
          body,
          'pending',
          0,
          now,
          now,
          now,
        );
        marks.push('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
      }
      await query(
        `INSERT INTO webhook_deliveries (webhook_id, target_id, session_id, event_type, payload, status, attempts, next_attempt_at, created_at, updated_at) VALUES ${marks.join(', ')}`,
        rows,
      );
    }
    const started = performance.now();
    while (received.size < DELIVERIES) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (performance.now() - started > 600_000) {
        break;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const [left] = (await query(
      "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status <> 'delivered' AND webhook_id LIKE 'msg_bench_%'",
    )) as { n: number | string }[];
    console.log(
      `dispatch: ${DELIVERIES} queued, ${received.size} distinct received in ${seconds.toFixed(1)} s = ${Math.round(received.size / seconds)} deliveries/s; rows not yet marked delivered ${Number(left.n)}`,
    );
  } finally {
    gateway.child.kill('SIGTERM');
    await gateway.exited;
    receiver.close();
    build.remove();
    await db.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

/**
 * Messaging benchmark (issue 8), against the built gateway in its own process and the WhatsApp
 * Web simulator in this one:
 *   - inbound: the simulated contacts push text messages to 10 linked sessions as fast as the
 *     gateway takes them; messages/s from the first send until every one is a stored row and a
 *     socket.io `message_received`, and stored == sent;
 *   - outbound: REST sends across the sessions with pacing off; messages/s until the simulated
 *     phones have decrypted them all, and the gateway's CPU ms per sent message.
 *
 *   npx tsx bench/messaging.ts                      # MariaDB on 127.0.0.1:3306 (root, no password)
 *   BENCH_DB=sqlite BENCH_SESSIONS=10 BENCH_INBOUND=300 BENCH_OUTBOUND=300 npx tsx bench/messaging.ts
 * BENCH_INBOUND=0 runs the outbound phase alone. BENCH_SEND_VIA=socket sends over socket.io
 * (`send_whatsapp_message`, one client) instead of REST: the difference is the HTTP request's cost.
 */
import '../test/wa-sim/tsx-esm-resolve';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createConnection } from 'mysql2/promise';
import { request } from 'undici';
import { WaSimulator } from '../test/wa-sim';
import {
  buildGateway,
  GatewayProcess,
  SIM_PRELOAD,
  simGatewayEnv,
  startGatewayProcess,
} from '../test/support/built-gateway';
import { connectSocket, emitWithAck } from '../test/support/socket-client';
import { createTestDatabase, TestDatabase } from '../test/support/test-database';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10);
const INBOUND_PER_SESSION = Number(process.env.BENCH_INBOUND ?? 500);
const OUTBOUND_PER_SESSION = Number(process.env.BENCH_OUTBOUND ?? 300);
export const OUTBOUND_IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 20);
export const KEY = 'bench-api-key-0123456789abcdef';
const SEND_VIA_SOCKET = process.env.BENCH_SEND_VIA === 'socket';

/**
 * How a phase reaches the gateway: the CPU time to charge to it (by default the one process's),
 * the URL that takes a session's REST sends (bench/cluster.ts sums several processes and sends to
 * each session's owner) and the messages per session (by default BENCH_INBOUND / BENCH_OUTBOUND).
 */
export interface PhaseOptions {
  cpuMs?: () => number;
  urlFor?: (sessionId: string) => string;
  perSession?: number;
  /** Whose SQL statements BENCH_QUERIES=1 counts (by default the one process's). */
  processes?: GatewayProcess[];
  /** Messages per second over all sessions (paced load); as fast as they go when unset. */
  ratePerSecond?: number;
}

/**
 * Paced load: waits until the `index`-th message of a session is due, `sessions / rate` seconds
 * after the one before it (nothing when unpaced).
 */
export async function pace(
  start: number,
  index: number,
  sessions: number,
  ratePerSecond?: number,
): Promise<void> {
  if (!ratePerSecond) {
    return;
  }
  const wait = start + (index * sessions * 1000) / ratePerSecond - Date.now();
  if (wait > 0) {
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** This process's CPU time in ms: the simulator's encryption and decryption run here. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** CLOCK_MONOTONIC in µs: the clock of V8's CPU profile timestamps in the gateway process. */
export const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

/** user + system CPU time of a process, in ms (from /proc). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

export async function storedCount(db: TestDatabase): Promise<number> {
  if (db.config.type !== 'mysql') {
    const Database = (await import('better-sqlite3')).default;
    const sqlite = new Database(db.config.sqlitePath, { readonly: true });
    try {
      return (sqlite.prepare('SELECT COUNT(*) AS n FROM whatsapp_messages').get() as { n: number })
        .n;
    } finally {
      sqlite.close();
    }
  }
  const connection = await createConnection({
    host: db.config.host,
    port: db.config.port,
    user: db.config.user,
    password: db.config.password,
    database: db.config.name,
  });
  try {
    const [rows] = await connection.query('SELECT COUNT(*) AS n FROM whatsapp_messages');
    return Number((rows as { n: number }[])[0].n);
  } finally {
    await connection.end();
  }
}

export const COUNT_QUERIES = process.env.BENCH_QUERIES === '1';
/** With BENCH_QUERIES=1: SQL statements per message of the last inbound and outbound phase. */
export const queriesPerMessage: Record<string, Record<string, string>> = {};

/** With BENCH_QUERIES=1: the gateway's SQL statements by kind since the last call (see query-counter.js). */
async function queryCounts(gateway: GatewayProcess): Promise<Record<string, number>> {
  if (!COUNT_QUERIES) {
    return {};
  }
  const seen = gateway.lines.length;
  gateway.child.kill('SIGUSR2');
  let line: string | undefined;
  await until(async () => {
    line = gateway.lines.slice(seen).find((candidate) => candidate.startsWith('query-count '));
    return Promise.resolve(line !== undefined);
  }, 5_000);
  return line ? (JSON.parse(line.slice('query-count '.length)) as Record<string, number>) : {};
}

/** The statement counts of several processes, summed by kind. */
async function summedQueryCounts(gateways: GatewayProcess[]): Promise<Record<string, number>> {
  const sum: Record<string, number> = {};
  for (const counts of await Promise.all(gateways.map(queryCounts))) {
    for (const [kind, n] of Object.entries(counts)) {
      sum[kind] = (sum[kind] ?? 0) + n;
    }
  }
  return sum;
}

/** Statements per message, the largest kinds first. */
function perMessage(counts: Record<string, number>, messages: number): Record<string, string> {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  return Object.fromEntries<string>([
    ['all', (total / messages).toFixed(2)],
    ...entries.map(([kind, n]): [string, string] => [kind, (n / messages).toFixed(2)]),
  ]);
}

export async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) {
      return true;
    }
    await delay(50);
  }
  return false;
}

export async function link(
  gateway: GatewayProcess,
  sim: WaSimulator,
  sessions = SESSIONS,
  createVia: (index: number) => string = () => gateway.url,
): Promise<Map<string, string>> {
  const socket = await connectSocket(gateway.url, { auth: { token: KEY } });
  await emitWithAck(socket, 'subscribe', { sessionId: '*' });
  const phones = new Map<string, string>();
  const connected = new Set<string>();
  // in cluster mode, every cluster on the same Redis shares the socket.io channel: only ours
  const ids = new Set(Array.from({ length: sessions }, (_, i) => `bench-${i}`));
  const done = new Promise<void>((resolve) => {
    socket.on('session_connected', ({ sessionId }: { sessionId: string }) => {
      if (ids.has(sessionId)) {
        connected.add(sessionId);
      }
      if (connected.size === sessions) {
        resolve();
      }
    });
  });
  // `qr` is the raw QR string (`qrCode` is its PNG data URL)
  socket.on('qr_code', ({ sessionId, qr }: { sessionId: string; qr: string }) => {
    if (ids.has(sessionId) && !phones.has(sessionId)) {
      phones.set(sessionId, '');
      void sim.scan(qr, { contacts: 5, groups: 0 }).then((linked) => {
        phones.set(sessionId, linked.phone);
      });
    }
  });
  // one at a time: in cluster mode each new session goes to the process with the fewest live
  // leases, which a burst of concurrent creations would all read before any is taken
  for (const [i, sessionId] of [...ids].entries()) {
    const response = await fetch(`${createVia(i)}/sessions`, {
      method: 'POST',
      headers: { 'X-API-Key': KEY, 'Content-Type': 'application/json' },
      body: JSON.stringify({ sessionId }),
    });
    if (response.status !== 201) {
      throw new Error(
        `creating ${sessionId} answered ${response.status}: ${await response.text()}`,
      );
    }
  }
  await Promise.race([done, delay(120_000)]);
  socket.close();
  for (const phone of phones.values()) {
    await sim.account(phone).waitForReady(30_000);
  }
  return phones;
}

export async function inbound(
  gateway: GatewayProcess,
  sim: WaSimulator,
  db: TestDatabase,
  phones: Map<string, string>,
  options: PhaseOptions = {},
) {
  const gatewayCpuMs = options.cpuMs ?? (() => cpuMs(gateway.child.pid!));
  const sessions = phones.size;
  const socket = await connectSocket(gateway.url, { auth: { token: KEY } });
  await emitWithAck(socket, 'subscribe', { sessionId: '*' });
  const perSession = options.perSession ?? INBOUND_PER_SESSION;
  const total = sessions * perSession;
  let events = 0;
  let eventsDoneAt = 0;
  // only this run's sessions: another cluster on the same Redis shares the socket.io channel
  socket.on('message_received', ({ sessionId }: { sessionId: string }) => {
    if (!phones.has(sessionId)) {
      return;
    }
    events += 1;
    if (events === total) {
      eventsDoneAt = Date.now();
    }
  });
  const before = await storedCount(db);
  await summedQueryCounts(options.processes ?? [gateway]);
  const cpuBefore = gatewayCpuMs();
  const simCpuBefore = ownCpuMs();
  const start = Date.now();
  await Promise.all(
    [...phones.values()].map(async (phone) => {
      const account = sim.account(phone);
      const from = account.contacts.map((contact) => contact.pn);
      for (let i = 0; i < perSession; i++) {
        await pace(start, i, sessions, options.ratePerSecond);
        await account.sendText(from[i % from.length], `inbound ${i}`);
      }
    }),
  );
  const pushedAt = Date.now();
  const stored = await until(async () => (await storedCount(db)) - before >= total, 120_000);
  const storedAt = Date.now();
  await until(async () => events >= total, 10_000);
  const cpu = gatewayCpuMs() - cpuBefore;
  const simCpu = ownCpuMs() - simCpuBefore;
  queriesPerMessage.inbound = perMessage(
    await summedQueryCounts(options.processes ?? [gateway]),
    total,
  );
  socket.close();
  const count = (await storedCount(db)) - before;
  return {
    direction: 'inbound',
    sessions,
    sent: total,
    stored: count,
    'socket events': events,
    'push s': ((pushedAt - start) / 1000).toFixed(2),
    'msg/s to stored row': (total / ((storedAt - start) / 1000)).toFixed(0),
    'msg/s to socket event': eventsDoneAt
      ? (total / ((eventsDoneAt - start) / 1000)).toFixed(0)
      : 'n/a',
    'gateway CPU ms/msg': (cpu / total).toFixed(2),
    'simulator CPU ms/msg': (simCpu / total).toFixed(2),
    complete: stored && count === total && events === total,
  };
}

export async function outbound(
  gateway: GatewayProcess,
  sim: WaSimulator,
  phones: Map<string, string>,
  options: PhaseOptions = {},
) {
  const gatewayCpuMs = options.cpuMs ?? (() => cpuMs(gateway.child.pid!));
  const urlFor = options.urlFor ?? (() => gateway.url);
  const sessions = phones.size;
  const perSession = options.perSession ?? OUTBOUND_PER_SESSION;
  const total = sessions * perSession;
  let decrypted = 0;
  let doneAt = 0;
  const ours = new Set([...phones.values()]);
  const unsubscribe = sim.on('message', (event) => {
    if (ours.has(event.phone) && event.text?.startsWith('outbound ')) {
      decrypted += 1;
      if (decrypted === total) {
        doneAt = Date.now();
      }
    }
  });
  const failures: (number | string)[] = [];
  const socket = SEND_VIA_SOCKET
    ? await connectSocket(gateway.url, { auth: { token: KEY } })
    : null;
  /** One send, REST or socket.io: pushes what is not a success onto `failures`. */
  const sendOne = async (sessionId: string, to: string, message: string): Promise<void> => {
    if (socket) {
      const ack = await emitWithAck(socket, 'send_whatsapp_message', { sessionId, to, message });
      if (!ack.success) {
        failures.push(ack.message);
      }
      return;
    }
    // undici's request, not fetch: fetch's WHATWG streams cost the benchmark's process about a
    // millisecond more per send, CPU the gateway shares these 2 cores with
    const response = await request(`${urlFor(sessionId)}/sessions/${sessionId}/messages`, {
      method: 'POST',
      headers: { 'X-API-Key': KEY, 'Content-Type': 'application/json' },
      body: JSON.stringify({ to, message }),
    });
    if (response.statusCode !== 201) {
      failures.push(response.statusCode);
    }
    await response.body.dump();
  };
  await summedQueryCounts(options.processes ?? [gateway]);
  const cpuBefore = gatewayCpuMs();
  const simCpuBefore = ownCpuMs();
  const start = Date.now();
  await Promise.all(
    [...phones.entries()].map(async ([sessionId, phone]) => {
      const contacts = sim.account(phone).contacts.map((contact) => contact.pn);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < perSession) {
          const i = next++;
          await pace(start, i, sessions, options.ratePerSecond);
          await sendOne(sessionId, contacts[i % contacts.length], `outbound ${i}`);
        }
      };
      const workers = Math.max(1, Math.round(OUTBOUND_IN_FLIGHT / sessions));
      await Promise.all(Array.from({ length: workers }, worker));
    }),
  );
  const answeredAt = Date.now();
  await until(async () => decrypted >= total - failures.length, 60_000);
  const cpu = gatewayCpuMs() - cpuBefore;
  const simCpu = ownCpuMs() - simCpuBefore;
  queriesPerMessage.outbound = perMessage(
    await summedQueryCounts(options.processes ?? [gateway]),
    Math.max(1, decrypted),
  );
  unsubscribe();
  socket?.close();
  const end = doneAt || Date.now();
  return {
    direction: SEND_VIA_SOCKET ? 'outbound (socket.io)' : 'outbound',
    sessions,
    sent: total,
    'non-201 answers': failures.length,
    ...(failures.length > 0 ? { failures: [...new Set(failures)].join(', ').slice(0, 200) } : {}),
    decrypted,
    'answers s': ((answeredAt - start) / 1000).toFixed(2),
    'msg/s to decrypted': (decrypted / ((end - start) / 1000)).toFixed(0),
    'gateway CPU ms/msg': (cpu / Math.max(1, decrypted)).toFixed(2),
    'simulator CPU ms/msg': (simCpu / Math.max(1, decrypted)).toFixed(2),
    complete: decrypted === total,
  };
}

/** The simulator in this process, without receipts from the phones, logging errors only. */
export function startQuietSimulator(): Promise<WaSimulator> {
  const quiet = () => {};
  return WaSimulator.start({
    receipts: 'none',
    logger: {
      debug: quiet,
      info: quiet,
      warn: quiet,
      error: (o: unknown) => process.stderr.write(`${JSON.stringify(o)}\n`),
    },
  });
}

async function main(): Promise<void> {
  mkdirSync(join(__dirname, '..', '.test-build'), { recursive: true });
  const build = buildGateway();
  const sim = await startQuietSimulator();
  process.env.TEST_DB_TIER = (process.env.BENCH_DB ?? 'mysql') === 'mysql' ? 'mysql' : 'sqlite';
  const db = await createTestDatabase();
  let gateway: GatewayProcess | undefined;
  try {
    const running = await startGatewayProcess(
      build.mainJs,
      simGatewayEnv(sim, db, KEY, {
        WA_LOG_LEVEL: 'silent',
        SEND_MIN_INTERVAL_MS: '0',
        SEND_JITTER_MS: '0',
        SEND_QUEUE_MAX: '100000',
        // the limits stay on (their guard is part of the cost), but high enough for the phases
        RATE_LIMIT_PER_MINUTE: '1000000',
        // WA_STORE_BEFORE_RECEIPT=false: the receipt before the store (Baileys' own order)
        ...(process.env.WA_STORE_BEFORE_RECEIPT
          ? { WA_STORE_BEFORE_RECEIPT: process.env.WA_STORE_BEFORE_RECEIPT }
          : {}),
      }),
      [
        ...SIM_PRELOAD,
        ...(COUNT_QUERIES ? ['-r', join(__dirname, 'query-counter.js')] : []),
        // BENCH_CPU_PROF=<dir>: a V8 CPU profile of the gateway, written when it exits
        ...(process.env.BENCH_CPU_PROF
          ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
          : []),
      ],
    );
    gateway = running;
    process.stdout.write(`linking ${SESSIONS} sessions on ${db.config.type}...\n`);
    const phones = await link(running, sim);
    // the phases' time windows, to cut the gateway's CPU profile with
    const phases: Record<string, [number, number]> = {};
    const timed = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
      const start = monotonicUs();
      const result = await run();
      phases[name] = [start, monotonicUs()];
      return result;
    };
    const rows = [
      await timed('inbound', () => inbound(running, sim, db, phones)),
      await timed('outbound', () => outbound(running, sim, phones)),
    ];
    if (process.env.BENCH_CPU_PROF) {
      writeFileSync(join(process.env.BENCH_CPU_PROF, 'phases.json'), JSON.stringify(phases));
    }
    for (const row of rows) {
      process.stdout.write(`${JSON.stringify(row)}\n`);
    }
    console.table(rows);
    if (COUNT_QUERIES) {
      process.stdout.write(`SQL statements per message: ${JSON.stringify(queriesPerMessage)}\n`);
    }
  } finally {
    gateway?.child.kill('SIGTERM');
    await gateway?.exited;
    await sim.stop();
    await db.drop();
    build.remove();
  }
}

// bench/cluster.ts imports the phases above
if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

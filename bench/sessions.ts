/**
 * Session benchmark: links N sessions at once to the WhatsApp Web simulator in one gateway
 * process (the built app, a real child process), then reports
 *   - how many links succeeded,
 *   - RSS and heap per connected idle session over the process baseline,
 *   - the time to restore all of them at boot (SIGTERM, new process, every session logged in).
 *
 *   npx tsx bench/sessions.ts                 # N = 10, 50, 100 on SQLite
 *   BENCH_SIZES=20 BENCH_DB=mysql npx tsx bench/sessions.ts
 */
import '../test/wa-sim/tsx-esm-resolve';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { WaSimulator } from '../test/wa-sim';
import {
  buildGateway,
  GatewayProcess,
  SIM_PRELOAD,
  simGatewayEnv,
  startGatewayProcess,
} from '../test/support/built-gateway';
import { connectSocket, emitWithAck } from '../test/support/socket-client';
import { createTestDatabase } from '../test/support/test-database';

const SIZES = (process.env.BENCH_SIZES ?? '10,50,100').split(',').map(Number);
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 8000);
const LINK_TIMEOUT_MS = 180_000;
const KEY = 'bench-api-key-0123456789abcdef';

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

async function heapBytes(gateway: GatewayProcess): Promise<number> {
  const text = await (
    await fetch(`${gateway.url}/metrics`, { headers: { 'X-API-Key': KEY } })
  ).text();
  return Number(/^nodejs_heap_size_used_bytes (\d+(?:\.\d+)?)/m.exec(text)?.[1] ?? 0);
}

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(2);

async function measure(gateway: GatewayProcess): Promise<{ rss: number; heap: number }> {
  await delay(SETTLE_MS);
  return { rss: rssBytes(gateway.child.pid!), heap: await heapBytes(gateway) };
}

async function run(size: number, mainJs: string): Promise<Record<string, string | number>> {
  const process_ = process;
  const sim = await WaSimulator.start({
    logger: {
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: (o: unknown) => process_.stderr.write(`${JSON.stringify(o)}\n`),
    },
  });
  process_.env.TEST_DB_TIER = process_.env.BENCH_DB === 'mysql' ? 'mysql' : 'sqlite';
  const db = await createTestDatabase();
  const env = simGatewayEnv(sim, db, KEY, { WA_LOG_LEVEL: 'silent' });
  const preload = SIM_PRELOAD;
  try {
    let gateway = await startGatewayProcess(mainJs, env, preload);
    const baseline = await measure(gateway);

    const socket = await connectSocket(gateway.url, { auth: { token: KEY } });
    await emitWithAck(socket, 'subscribe', { sessionId: '*' });
    const scanned = new Set<string>();
    const connected = new Set<string>();
    const failures: string[] = [];
    const allConnected = new Promise<void>((resolve) => {
      socket.on('session_connected', ({ sessionId }: { sessionId: string }) => {
        connected.add(sessionId);
        if (connected.size === size) {
          resolve();
        }
      });
    });
    socket.on('qr_code', ({ sessionId, qrCode }: { sessionId: string; qrCode: string }) => {
      if (scanned.has(sessionId)) {
        return;
      }
      scanned.add(sessionId);
      sim.scan(qrCode).catch((error: unknown) => failures.push(`${sessionId}: ${String(error)}`));
    });
    const linkStart = Date.now();
    await Promise.all(
      Array.from({ length: size }, (_, i) =>
        fetch(`${gateway.url}/sessions`, {
          method: 'POST',
          headers: { 'X-API-Key': KEY, 'Content-Type': 'application/json' },
          body: JSON.stringify({ sessionId: `bench-${i}` }),
        }),
      ),
    );
    await Promise.race([allConnected, delay(LINK_TIMEOUT_MS)]);
    const linkMs = Date.now() - linkStart;
    socket.close();
    const linked = connected.size;
    const loaded = await measure(gateway);

    // Restore: a new process brings every linked session back with stored credentials
    gateway.child.kill('SIGTERM');
    await gateway.exited;
    const spawnedAt = Date.now();
    gateway = await startGatewayProcess(mainJs, env, preload);
    const listeningAt = Date.now();
    const watcher = await connectSocket(gateway.url, { auth: { token: KEY } });
    const restored = new Set<string>();
    const allRestored = new Promise<void>((resolve) => {
      const add = (sessionId: string): void => {
        restored.add(sessionId);
        if (restored.size >= linked) {
          resolve();
        }
      };
      watcher.on('session_connected', ({ sessionId }: { sessionId: string }) => add(sessionId));
      void emitWithAck(watcher, 'subscribe', { sessionId: '*' }).then(async () => {
        const now = (await (
          await fetch(`${gateway.url}/sessions/connected`, { headers: { 'X-API-Key': KEY } })
        ).json()) as { data: { sessionId: string }[] };
        now.data.forEach((session) => add(session.sessionId));
      });
    });
    await Promise.race([allRestored, delay(60_000)]);
    const restoredAt = Date.now();
    watcher.close();
    gateway.child.kill('SIGTERM');
    await gateway.exited;

    return {
      sessions: size,
      linked: `${linked}/${size}`,
      'link time s': (linkMs / 1000).toFixed(1),
      'baseline RSS MB': mb(baseline.rss),
      'RSS/session MB': mb((loaded.rss - baseline.rss) / Math.max(1, linked)),
      'heap/session MB': mb((loaded.heap - baseline.heap) / Math.max(1, linked)),
      restored: `${restored.size}/${linked}`,
      'restore from boot s': ((restoredAt - listeningAt) / 1000).toFixed(2),
      'restore from spawn s': ((restoredAt - spawnedAt) / 1000).toFixed(2),
      'scan failures': failures.length,
    };
  } finally {
    await sim.stop();
    await db.drop();
  }
}

async function main(): Promise<void> {
  mkdirSync(join(__dirname, '..', '.test-build'), { recursive: true });
  const build = buildGateway();
  const rows: Record<string, string | number>[] = [];
  try {
    for (const size of SIZES) {
      process.stdout.write(`linking ${size} sessions...\n`);
      const row = await run(size, build.mainJs);
      rows.push(row);
      process.stdout.write(`${JSON.stringify(row)}\n`);
    }
  } finally {
    build.remove();
  }
  console.table(rows);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

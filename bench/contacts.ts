/**
 * Contact grabber benchmark: a gateway process (the built app) on MariaDB, one session linked to
 * the WhatsApp Web simulator for an account with 20,000 contacts and 500 groups of 50, then
 *   - GET /api/sessions/:id/grab-all end to end (REST),
 *   - the grab's database phase (from the gateway's log line) beside a raw mysql2 multi-row
 *     INSERT ... ON DUPLICATE KEY UPDATE of the same rows (contacts and memberships), same run,
 *   - a repeated grab's time and counts (0 saved, 0 updated expected),
 *   - the gateway's peak RSS growth during the first grab (VmHWM after clear_refs, else sampled),
 *   - the gateway's CPU time (user + system, /proc/PID/stat) during each grab.
 *
 *   npx tsx bench/contacts.ts
 *   BENCH_CONTACTS=5000 BENCH_GROUPS=100 BENCH_PARTICIPANTS=20 npx tsx bench/contacts.ts
 *   BENCH_CPU_PROF=/tmp/prof npx tsx bench/contacts.ts   (a V8 CPU profile of the gateway)
 * MariaDB from TEST_DB_HOST/PORT/USER/PASSWORD (default 127.0.0.1:3306, root, no password).
 */
import '../test/wa-sim/tsx-esm-resolve';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { WaSimulator } from '../test/wa-sim';
import { buildGateway, startGatewayProcess } from '../test/support/built-gateway';
import { connectSocket, emitWithAck } from '../test/support/socket-client';
import { createTestDatabase } from '../test/support/test-database';

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 20_000);
const GROUPS = Number(process.env.BENCH_GROUPS ?? 500);
const PARTICIPANTS = Number(process.env.BENCH_PARTICIPANTS ?? 50);
const KEY = 'bench-api-key-0123456789abcdef';
const SESSION = 'bench-contacts';
const BATCH = 1000;

function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
}

/** CPU seconds (user + system) the process `pid` has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime (fields 14 and 15 of stat), in clock ticks of 1/100 s
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Resets the kernel's peak-RSS mark of `pid` (Linux: write 5 to clear_refs); false if not allowed. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
const seconds = (ms: number): string => (ms / 1000).toFixed(2);

async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await delay(250);
  }
}

/** The same rows the grab wrote, inserted by hand with mysql2 into copies of the tables. */
async function rawInsert(connection: Connection): Promise<number> {
  const [contacts] = await connection.query<RowDataPacket[]>(
    'SELECT session_id, contact_id, name, phone_number, type, group_id, group_name, group_description, group_participants_count, is_admin, profile_picture, grabbed_at FROM contacts WHERE session_id = ?',
    [SESSION],
  );
  const [members] = await connection.query<RowDataPacket[]>(
    'SELECT session_id, group_id, contact_id, phone_number, is_admin, is_super_admin FROM group_participants WHERE session_id = ?',
    [SESSION],
  );
  await connection.query('CREATE TABLE raw_contacts LIKE contacts');
  await connection.query('CREATE TABLE raw_group_participants LIKE group_participants');
  const contactColumns = Object.keys(contacts[0] ?? {});
  const memberColumns = Object.keys(members[0] ?? {});
  const insert = async (
    table: string,
    columns: string[],
    rows: RowDataPacket[],
    keys: string[],
  ) => {
    const update = columns.filter((column) => !keys.includes(column));
    for (let index = 0; index < rows.length; index += BATCH) {
      const batch = rows.slice(index, index + BATCH);
      await connection.query(
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES ? ON DUPLICATE KEY UPDATE ${update.map((c) => `${c} = VALUES(${c})`).join(', ')}`,
        [batch.map((row) => columns.map((column) => row[column] as unknown))],
      );
    }
  };
  const started = performance.now();
  await connection.beginTransaction();
  await insert('raw_contacts', contactColumns, contacts, ['session_id', 'contact_id']);
  await insert('raw_group_participants', memberColumns, members, [
    'session_id',
    'group_id',
    'contact_id',
  ]);
  await connection.commit();
  return performance.now() - started;
}

async function main(): Promise<void> {
  mkdirSync(join(__dirname, '..', '.test-build'), { recursive: true });
  process.env.TEST_DB_TIER = 'mysql';
  const build = buildGateway();
  const sim = await WaSimulator.start({
    logger: {
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: (o: unknown) => console.error(o),
    },
  });
  const db = await createTestDatabase();
  const connection = await createConnection({
    host: db.config.host,
    port: db.config.port,
    user: db.config.user,
    password: db.config.password,
    database: db.config.name,
    timezone: 'Z',
  });
  const preload = [
    '-r',
    join(__dirname, '..', 'test', 'wa-sim', 'trust-root.js'),
    // BENCH_CPU_PROF=<dir>: a V8 CPU profile of the gateway, written when it exits
    ...(process.env.BENCH_CPU_PROF
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
      : []),
  ];
  const gateway = await startGatewayProcess(
    build.mainJs,
    {
      ...db.env,
      API_KEY: KEY,
      WA_WS_URL: sim.wsUrl,
      WA_SIM_ROOT_PUBLIC_KEY: sim.rootPublicKeyHex,
      LOG_LEVEL: 'info',
      WA_LOG_LEVEL: 'silent',
      GRAB_TIMEOUT_MS: '600000',
    },
    preload,
  );
  const pid = gateway.child.pid!;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${gateway.url}${path}`, {
      ...init,
      headers: { 'X-API-Key': KEY, 'Content-Type': 'application/json', ...(init.headers ?? {}) },
    });
  try {
    process.stdout.write(
      `linking an account with ${CONTACTS} contacts, ${GROUPS} groups of ${PARTICIPANTS}...\n`,
    );
    const socket = await connectSocket(gateway.url, { auth: { token: KEY } });
    await emitWithAck(socket, 'subscribe', { sessionId: SESSION });
    const scanned = new Promise<void>((resolve, reject) => {
      // `qr` is the raw QR string (`qrCode` is its PNG data URL)
      socket.once('qr_code', ({ qr }: { qr: string }) => {
        sim
          .scan(qr, { contacts: CONTACTS, groups: GROUPS, participantsPerGroup: PARTICIPANTS })
          .then(() => resolve(), reject);
      });
    });
    const linkStarted = Date.now();
    await api('/sessions', { method: 'POST', body: JSON.stringify({ sessionId: SESSION }) });
    await scanned;
    await waitFor(
      'the history sync in the address book',
      async () => {
        const [rows] = await connection.query<RowDataPacket[]>(
          'SELECT COUNT(*) AS n FROM address_book_contacts WHERE session_id = ? AND notify IS NOT NULL',
          [SESSION],
        );
        return Number(rows[0].n) >= CONTACTS;
      },
      300_000,
    );
    socket.close();
    const linkMs = Date.now() - linkStarted;
    process.stdout.write(`linked, address book stored in ${seconds(linkMs)} s\n`);
    await delay(2000);

    const rssBefore = procStatus(pid, 'VmRSS');
    const peakReset = resetPeak(pid);
    let sampledPeak = rssBefore;
    const sampler = setInterval(() => {
      sampledPeak = Math.max(sampledPeak, procStatus(pid, 'VmRSS'));
    }, 20);
    const logFrom = gateway.lines.length;
    const firstCpu = cpuSeconds(pid);
    const firstStarted = performance.now();
    const first = (await (await api(`/api/sessions/${SESSION}/grab-all`)).json()) as {
      data: {
        total_groups: number;
        total_contacts: number;
        saved_count: number;
        updated_count: number;
        errors: unknown[];
      };
    };
    const firstMs = performance.now() - firstStarted;
    const firstCpuS = cpuSeconds(pid) - firstCpu;
    clearInterval(sampler);
    const peak = Math.max(sampledPeak, peakReset ? procStatus(pid, 'VmHWM') : 0);
    const logLine = gateway.lines.slice(logFrom).find((line) => line.includes('grab of all'));
    const databaseMs = Number(/database (\d+) ms/.exec(logLine ?? '')?.[1] ?? NaN);

    const secondCpu = cpuSeconds(pid);
    const secondStarted = performance.now();
    const second = (await (await api(`/api/sessions/${SESSION}/grab-all`)).json()) as typeof first;
    const secondMs = performance.now() - secondStarted;
    const secondCpuS = cpuSeconds(pid) - secondCpu;

    const rawMs = await rawInsert(connection);
    const [[counts]] = await connection.query<RowDataPacket[]>(
      'SELECT (SELECT COUNT(*) FROM contacts WHERE session_id = ?) AS contacts, (SELECT COUNT(*) FROM group_participants WHERE session_id = ?) AS members',
      [SESSION, SESSION],
    );
    const row = {
      account: `${CONTACTS} contacts, ${GROUPS}×${PARTICIPANTS}`,
      'rows (contacts + memberships)': `${counts.contacts} + ${counts.members}`,
      'grab-all s': seconds(firstMs),
      'saved / updated': `${first.data.saved_count} / ${first.data.updated_count}`,
      'gateway CPU s': firstCpuS.toFixed(2),
      'db phase s': seconds(databaseMs),
      'raw mysql2 s': seconds(rawMs),
      'db / raw': (databaseMs / rawMs).toFixed(2),
      'repeat s': seconds(secondMs),
      'repeat CPU s': secondCpuS.toFixed(2),
      'repeat saved / updated': `${second.data.saved_count} / ${second.data.updated_count}`,
      'peak RSS growth MB': mb(peak - rssBefore),
      errors: first.data.errors.length,
    };
    console.table([row]);
    process.stdout.write(`${JSON.stringify(row)}\n${logLine ?? ''}\n`);
  } finally {
    gateway.child.kill('SIGTERM');
    await gateway.exited;
    await connection.end();
    await sim.stop();
    await db.drop();
    build.remove();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

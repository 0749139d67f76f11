/**
 * Campaigns benchmark (issue 19), against the built gateway in its own process (MariaDB by
 * default) and the WhatsApp Web simulator in this one:
 *   - planning: creating a campaign of 50,000 recipients from stored contacts (rows inserted
 *     straight into `contacts` first) and from an uploaded CSV: planning, de-duplication and the
 *     recipient rows written, timed end to end over REST (goal: under 3 s each);
 *   - sending, pacing off: the same number of messages sent as plain REST sends (baseline) and as
 *     a campaign (now), in the same run; the gateway's CPU ms per message side by side (goal: the
 *     campaign costs at most 10% more).
 *
 *   npx tsx bench/campaigns.ts          # BENCH_RECIPIENTS=50000 BENCH_SENDS=300 BENCH_DB=mysql|sqlite
 */
import '../test/wa-sim/tsx-esm-resolve';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createConnection } from 'mysql2/promise';
import { WaSimulator } from '../test/wa-sim';
import {
  buildGateway,
  type GatewayProcess,
  SIM_PRELOAD,
  simGatewayEnv,
  startGatewayProcess,
} from '../test/support/built-gateway';
import { connectSocket, emitWithAck } from '../test/support/socket-client';
import { createTestDatabase, type TestDatabase } from '../test/support/test-database';

const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 50_000);
const SENDS = Number(process.env.BENCH_SENDS ?? 300);
const IN_FLIGHT = 20;
const KEY = 'bench-api-key-0123456789abcdef';
const SESSION = 'bench-1';

/** user + system CPU time of a process, in ms (from /proc). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

async function api(
  gateway: GatewayProcess,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: { data: unknown; message: string } }> {
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers: {
      'X-API-Key': KEY,
      ...(body instanceof FormData ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body instanceof FormData ? body : body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: response.status,
    json: (await response.json()) as { data: unknown; message: string },
  };
}

/** The linked phone and its contacts: half for the REST sends, half for the campaign (each run
 * pays for checking its numbers on WhatsApp, none finds them cached by the other). */
async function link(gateway: GatewayProcess, sim: WaSimulator): Promise<string[]> {
  const socket = await connectSocket(gateway.url, { auth: { token: KEY } });
  await emitWithAck(socket, 'subscribe', { sessionId: SESSION });
  const connected = new Promise<void>((resolve) =>
    socket.once('session_connected', () => resolve()),
  );
  const qr = new Promise<string>((resolve) =>
    socket.once('qr_code', ({ qr: raw }: { qr: string }) => resolve(raw)),
  );
  await api(gateway, 'POST', '/sessions', { sessionId: SESSION });
  const linked = await sim.scan(await qr, { contacts: 2 * SENDS, groups: 0, historySync: false });
  await Promise.race([connected, delay(60_000)]);
  socket.close();
  await sim.account(linked.phone).waitForReady(30_000);
  return [linked.phone, ...linked.contacts.map((contact) => contact.pn)];
}

/** 50,000 stored contacts, written straight into the table (the grab is benchmarked elsewhere). */
async function storeContacts(db: TestDatabase): Promise<void> {
  const rows = Array.from({ length: RECIPIENTS }, (_, i) => {
    const phone = String(6281200000000 + i);
    return [SESSION, `${phone}@s.whatsapp.net`, `Contact ${i}`, phone, 'individual'];
  });
  if (db.config.type === 'mysql') {
    const connection = await createConnection({
      host: db.config.host,
      port: db.config.port,
      user: db.config.user,
      password: db.config.password,
      database: db.config.name,
    });
    try {
      for (let start = 0; start < rows.length; start += 5_000) {
        await connection.query(
          'INSERT INTO contacts (session_id, contact_id, name, phone_number, type) VALUES ?',
          [rows.slice(start, start + 5_000)],
        );
      }
    } finally {
      await connection.end();
    }
    return;
  }
  const Database = (await import('better-sqlite3')).default;
  const sqlite = new Database(db.config.sqlitePath);
  const insert = sqlite.prepare(
    'INSERT INTO contacts (session_id, contact_id, name, phone_number, type) VALUES (?, ?, ?, ?, ?)',
  );
  sqlite.transaction(() => rows.forEach((row) => insert.run(...row)))();
  sqlite.close();
}

/** A campaign's creation over REST: seconds, and the recipients it planned. */
async function timedCreate(
  gateway: GatewayProcess,
  body: Record<string, unknown> | FormData,
): Promise<{ seconds: number; recipients: number }> {
  const start = performance.now();
  const created = await api(gateway, 'POST', `/sessions/${SESSION}/campaigns`, body);
  const seconds = (performance.now() - start) / 1000;
  if (created.status !== 201) {
    throw new Error(`create answered ${created.status}: ${JSON.stringify(created.json)}`);
  }
  return {
    seconds,
    recipients: (created.json.data as { totalRecipients: number }).totalRecipients,
  };
}

async function planning(gateway: GatewayProcess, db: TestDatabase) {
  await storeContacts(db);
  // scheduled far ahead: planning only, nothing is sent
  const later = new Date(Date.now() + 7 * 86_400_000).toISOString();
  const fromContacts = await timedCreate(gateway, {
    name: 'from contacts',
    message: '{Hi|Hello} {{name}}',
    contacts: { type: 'individual' },
    scheduledAt: later,
  });
  const csv = ['phone,name,voucher'];
  for (let i = 0; i < RECIPIENTS; i++) {
    csv.push(`+${6281300000000 + i},Customer ${i},V${i}`);
  }
  const form = new FormData();
  form.append('name', 'from csv');
  form.append('message', 'Hi {{name}}, {{voucher}}');
  form.append('scheduledAt', later);
  form.append('file', new Blob([csv.join('\n')], { type: 'text/csv' }), 'list.csv');
  const fromCsv = await timedCreate(gateway, form);
  return [
    { source: 'stored contacts', ...fromContacts },
    { source: 'CSV upload', ...fromCsv },
  ];
}

async function sendBaseline(gateway: GatewayProcess, sim: WaSimulator, phones: string[]) {
  const [own, ...contacts] = phones;
  const account = sim.account(own);
  const before = account.received().length;
  const cpu = cpuMs(gateway.child.pid!);
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < contacts.length) {
        const to = contacts[next++];
        await api(gateway, 'POST', `/sessions/${SESSION}/messages`, { to, message: `rest ${to}` });
      }
    }),
  );
  await account.waitForMessage(
    () => account.received().length - before >= contacts.length,
    120_000,
  );
  return row('REST sends (baseline)', contacts.length, start, cpuMs(gateway.child.pid!) - cpu);
}

async function sendCampaign(gateway: GatewayProcess, sim: WaSimulator, phones: string[]) {
  const [own, ...contacts] = phones;
  const account = sim.account(own);
  const before = account.received().length;
  const cpu = cpuMs(gateway.child.pid!);
  const start = performance.now();
  const created = await api(gateway, 'POST', `/sessions/${SESSION}/campaigns`, {
    name: 'send',
    message: '{Hi|Hello} {{name|there}} {{phone}}',
    recipients: contacts.map((to) => ({ to })),
    pacing: { minIntervalMs: 0, maxIntervalMs: 0 },
  });
  if (created.status !== 201) {
    throw new Error(`campaign answered ${created.status}`);
  }
  await account.waitForMessage(
    () => account.received().length - before >= contacts.length,
    120_000,
  );
  return row('campaign (now)', contacts.length, start, cpuMs(gateway.child.pid!) - cpu);
}

function row(run: string, messages: number, start: number, cpu: number) {
  const seconds = (performance.now() - start) / 1000;
  return {
    run,
    messages,
    seconds: seconds.toFixed(2),
    'msg/s': (messages / seconds).toFixed(0),
    'gateway CPU ms/msg': (cpu / messages).toFixed(2),
  };
}

async function main(): Promise<void> {
  mkdirSync(join(__dirname, '..', '.test-build'), { recursive: true });
  const build = buildGateway();
  const quiet = () => {};
  const sim = await WaSimulator.start({
    receipts: 'none',
    logger: { debug: quiet, info: quiet, warn: quiet, error: quiet },
  });
  process.env.TEST_DB_TIER = (process.env.BENCH_DB ?? 'mysql') === 'mysql' ? 'mysql' : 'sqlite';
  const db = await createTestDatabase();
  let gateway: GatewayProcess | undefined;
  try {
    gateway = await startGatewayProcess(
      build.mainJs,
      simGatewayEnv(sim, db, KEY, {
        WA_LOG_LEVEL: 'silent',
        SEND_MIN_INTERVAL_MS: '0',
        SEND_JITTER_MS: '0',
        SEND_QUEUE_MAX: '100000',
        CAMPAIGN_UPLOAD_MAX_BYTES: String(64 * 1024 * 1024),
      }),
      SIM_PRELOAD,
    );
    process.stdout.write(
      `linking one session with ${2 * SENDS} contacts on ${db.config.type}...\n`,
    );
    const phones = await link(gateway, sim);
    process.stdout.write(`planning campaigns of ${RECIPIENTS} recipients...\n`);
    console.table(await planning(gateway, db));
    for (const line of gateway.lines.filter((candidate) => candidate.includes('planned in'))) {
      process.stdout.write(`${(JSON.parse(line) as { msg: string }).msg}\n`);
    }
    process.stdout.write(`sending ${SENDS} messages each way, pacing off...\n`);
    const [own, ...contacts] = phones;
    const baseline = await sendBaseline(gateway, sim, [own, ...contacts.slice(0, SENDS)]);
    const now = await sendCampaign(gateway, sim, [own, ...contacts.slice(SENDS)]);
    console.table([baseline, now]);
    const ratio = Number(now['gateway CPU ms/msg']) / Number(baseline['gateway CPU ms/msg']);
    process.stdout.write(`campaign CPU per message / REST CPU per message: ${ratio.toFixed(2)}\n`);
  } finally {
    gateway?.child.kill('SIGTERM');
    await gateway?.exited;
    await sim.stop();
    await db.drop();
    build.remove();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

/**
 * What a group commit's round trips to MariaDB cost, apart from the gateway: one connection, one
 * transaction at a time (as a process with few busy sessions writes), each the shape of the
 * gateway's fenced commit in cluster mode (`START TRANSACTION`, the fence `SELECT ... LOCK IN
 * SHARE MODE`, a multi-row insert of keys, one of messages, `COMMIT`), sent three ways:
 *   - 5 round trips, one statement each (what the gateway does through TypeORM);
 *   - 2 round trips: the fence with `START`, then the writes with `COMMIT` (the fewest that still
 *     read the fence before writing), as multi-statement packets;
 *   - 1 round trip, everything in one packet.
 * Prints the client's and MariaDB's CPU per transaction (/proc/PID/stat) and the wall time.
 *   npx tsx bench/round-trips.ts        # MariaDB on 127.0.0.1:3306 as root (TEST_DB_* as for the tests)
 * BENCH_TRANSACTIONS (2000) per way and round; two rounds. Uses a scratch database it drops.
 */
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createConnection } from 'mysql2/promise';

const TRANSACTIONS = Number(process.env.BENCH_TRANSACTIONS ?? 2000);
const DATABASE = `wa_round_trips_${process.pid}`;

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

function serverPid(): number {
  const found = execSync('pgrep -x mariadbd || pgrep -x mysqld || true').toString().trim();
  return Number(found.split('\n')[0]) || 0;
}

async function main(): Promise<void> {
  const options = {
    host: process.env.TEST_DB_HOST ?? '127.0.0.1',
    port: Number(process.env.TEST_DB_PORT ?? 3306),
    user: process.env.TEST_DB_USER ?? 'root',
    password: process.env.TEST_DB_PASSWORD ?? '',
    socketPath: process.env.TEST_DB_SOCKET_PATH || undefined,
  };
  const admin = await createConnection(options);
  await admin.query(`CREATE DATABASE ${DATABASE}`);
  const db = await createConnection({ ...options, database: DATABASE, multipleStatements: true });
  try {
    await db.query('CREATE TABLE lease (k VARCHAR(64) PRIMARY KEY, token INT)');
    await db.query(
      'CREATE TABLE msg (id INT AUTO_INCREMENT PRIMARY KEY, s VARCHAR(64), body VARCHAR(255))',
    );
    await db.query(
      'CREATE TABLE keyt (id INT AUTO_INCREMENT PRIMARY KEY, s VARCHAR(64), v VARCHAR(255))',
    );
    await db.query("INSERT INTO lease VALUES ('session:a', 1), ('session:b', 1)");
    const fence =
      "SELECT k, token FROM lease WHERE k IN ('session:a', 'session:b') LOCK IN SHARE MODE";
    const rows = (tag: string): string[][] =>
      Array.from({ length: 3 }, (_, i) => ['a', `${tag} ${i} ${'x'.repeat(100)}`]);
    const ways: [string, () => Promise<unknown>][] = [
      [
        '5 round trips',
        async () => {
          await db.query('START TRANSACTION');
          await db.query(fence);
          await db.query('INSERT INTO keyt (s, v) VALUES ?', [rows('key')]);
          await db.query('INSERT INTO msg (s, body) VALUES ?', [rows('message')]);
          await db.query('COMMIT');
        },
      ],
      [
        '2 round trips',
        async () => {
          await db.query(`START TRANSACTION; ${fence}`);
          await db.query(
            'INSERT INTO keyt (s, v) VALUES ?; INSERT INTO msg (s, body) VALUES ?; COMMIT',
            [rows('key'), rows('message')],
          );
        },
      ],
      [
        '1 round trip',
        () =>
          db.query(
            `START TRANSACTION; ${fence}; INSERT INTO keyt (s, v) VALUES ?; INSERT INTO msg (s, body) VALUES ?; COMMIT`,
            [rows('key'), rows('message')],
          ),
      ],
    ];
    const server = serverPid();
    for (let round = 1; round <= 2; round++) {
      for (const [name, transaction] of ways) {
        for (let i = 0; i < 200; i++) {
          await transaction();
        }
        const client = cpuMs(process.pid);
        const mariadb = server ? cpuMs(server) : 0;
        const started = Date.now();
        for (let i = 0; i < TRANSACTIONS; i++) {
          await transaction();
        }
        const per = (value: number): string => `${(value / TRANSACTIONS).toFixed(3)} ms`;
        process.stdout.write(
          `round ${round}, ${name}: client CPU ${per(cpuMs(process.pid) - client)}, MariaDB CPU ${
            server ? per(cpuMs(server) - mariadb) : 'n/a'
          }, wall ${per(Date.now() - started)} per transaction\n`,
        );
      }
    }
  } finally {
    await db.end();
    await admin.query(`DROP DATABASE ${DATABASE}`);
    await admin.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

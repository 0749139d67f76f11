/**
 * Cluster benchmark (issue 18): in one run, against the WhatsApp Web simulator in this process,
 *   0. the machine: a fixed CPU workload in one process alone and in two at once;
 *   1. the floor: bare Baileys (in-memory auth state, no database, no Nest) in a child process
 *      run by plain node (bench/floor-child.ts, compiled), CPU ms per inbound and per sent
 *      message, with all the sessions and with half of them (what each of 2 processes carries);
 *   2. the gateway, one process on MariaDB, on the same work (bench/messaging.ts's phases), and
 *      its ratio to the floor;
 *   3. webhook ingest CPU per event (bench/webhooks.ts) against the HTTP floor
 *      (bench/http-floor.ts), both run as they are;
 *   4. one process against two in cluster mode (same MariaDB, Redis, sessions and messages, split
 *      over both): the processes' summed CPU per message, and its growth;
 *   5. takeover: SIGKILL one of two processes, time until the survivor has every one of its
 *      sessions connected again, with LEASE_TTL_MS at its default (15000) and at 5000.
 * CPU is user + system time of each process from /proc/PID/stat, as in the other benches.
 *
 *   npx tsx bench/cluster.ts
 * MariaDB on 127.0.0.1:3306 (root, no password; TEST_DB_* as for the tests, TEST_DB_SOCKET_PATH for
 * its Unix socket) and Redis on
 * 127.0.0.1:6379 (TEST_REDIS_URL). Sizes: BENCH_SESSIONS (10), BENCH_CLUSTER_INBOUND (100) and
 * BENCH_CLUSTER_OUTBOUND (50) messages per session, measured after BENCH_WARMUP_INBOUND (30) and
 * BENCH_WARMUP_OUTBOUND (10) unmeasured ones, BENCH_INGEST_SECONDS (10). With
 * BENCH_PACED_INBOUND_RATE and BENCH_PACED_SENT_RATE (messages per second, e.g. 150 and 50) each
 * gateway run then does the same work again paced, below what the machine can do, and so does
 * the floor (with half the sessions at half the rates, the load of each of 2 processes).
 * BENCH_GATEWAY_ENV=KEY=VALUE,... adds settings to every gateway process (e.g.
 * WA_STORE_BEFORE_RECEIPT=false).
 * BENCH_QUERIES=1 prints the SQL statements per message of each gateway run (bench/query-counter.js).
 * BENCH_CPU_PROF=<dir> writes V8 profiles of the floor and of every gateway process, and
 * phases.json: each phase's time window on the profiles' clock and the processes' ids by run.
 */
import '../test/wa-sim/tsx-esm-resolve';
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { WaSimulator } from '../test/wa-sim';
import type { FloorReply, FloorRequest } from './floor-child';
import {
  buildGateway,
  type GatewayProcess,
  SIM_PRELOAD,
  simGatewayEnv,
  startGatewayProcess,
} from '../test/support/built-gateway';
import { freePort, REDIS_URL } from '../test/support/cluster';
import { TEST_WA_ENV } from '../test/support/gateway-with-sim';
import { connectSocket, emitWithAck } from '../test/support/socket-client';
import { createTestDatabase, type TestDatabase } from '../test/support/test-database';
import {
  COUNT_QUERIES,
  cpuMs,
  inbound,
  KEY,
  link,
  monotonicUs,
  outbound,
  OUTBOUND_IN_FLIGHT,
  ownCpuMs,
  pace,
  queriesPerMessage,
  startQuietSimulator,
  until,
} from './messaging';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10);
const INBOUND = Number(process.env.BENCH_CLUSTER_INBOUND ?? 100);
const OUTBOUND = Number(process.env.BENCH_CLUSTER_OUTBOUND ?? 50);
/**
 * Messages per session each run handles before it is measured (BENCH_WARMUP_INBOUND,
 * BENCH_WARMUP_OUTBOUND): every process compiles its hot paths and sets up its Signal sessions
 * once, which would otherwise count against the run with more processes.
 */
const WARMUP_INBOUND = Number(process.env.BENCH_WARMUP_INBOUND ?? 30);
const WARMUP_OUTBOUND = Number(process.env.BENCH_WARMUP_OUTBOUND ?? 10);
/**
 * The paced runs' rates, in messages per second over all sessions (BENCH_PACED_INBOUND_RATE,
 * BENCH_PACED_SENT_RATE; off by default): low enough that the machine is not saturated, so that
 * 1 against 2 processes compares the work done, not two busy processes, the simulator and
 * MariaDB competing for 2 cores.
 */
const PACED_INBOUND_RATE = Number(process.env.BENCH_PACED_INBOUND_RATE ?? 0);
const PACED_SENT_RATE = Number(process.env.BENCH_PACED_SENT_RATE ?? 0);
const INGEST_SECONDS = process.env.BENCH_INGEST_SECONDS ?? '10';
const CPU_PROF = process.env.BENCH_CPU_PROF;
/** BENCH_GATEWAY_ENV=KEY=VALUE,KEY=VALUE: settings every gateway process of the run gets. */
const GATEWAY_ENV: Record<string, string> = Object.fromEntries(
  (process.env.BENCH_GATEWAY_ENV ?? '')
    .split(',')
    .filter((pair) => pair.includes('='))
    .map((pair) => [pair.slice(0, pair.indexOf('=')).trim(), pair.slice(pair.indexOf('=') + 1)]),
);
const ROOT = join(__dirname, '..');

/** CPU ms per message of one direction, and whether every message arrived. */
interface Cost {
  messages: number;
  cpuMs: number;
  simulatorMs: number;
  perSecond: number;
  complete: boolean;
}

interface Run {
  name: string;
  /** CPU ms per second of the processes with their sessions connected and no traffic. */
  idle: number;
  inbound: Cost;
  sent: Cost;
  /** The same work at a fixed rate well below what the machine can do (gateway runs). */
  paced?: { inbound: Cost; sent: Cost };
  note?: string;
}

const perMessage = (cost: Cost): number => cost.cpuMs / Math.max(1, cost.messages);

/** CPU per message less what the processes burn idle over the phase's duration. */
const netOfIdle = (cost: Cost, idle: number): number =>
  (cost.cpuMs - idle * (cost.messages / cost.perSecond)) / Math.max(1, cost.messages);

const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 5);
/**
 * Rounds of the whole measurement (BENCH_ROUNDS, default 1): the ratios of a goal move by a fifth
 * or more between runs on a shared machine, so several rounds print each goal's figure per round
 * and their median. The takeovers are measured in the first round only.
 */
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));

/** CPU ms per second of `cpu` over IDLE_SECONDS, after 2 s for what linking left behind. */
async function idleCpu(cpu: () => number): Promise<number> {
  await delay(2_000);
  const before = cpu();
  await delay(IDLE_SECONDS * 1000);
  return (cpu() - before) / IDLE_SECONDS;
}

/** The processes of each run, to find their CPU profiles. */
const pids: Record<string, number[]> = {};

/** Each phase's time window on the clock of V8's CPU profiles (CLOCK_MONOTONIC, µs). */
const phases: Record<string, [number, number]> = {};
const opened: Record<string, number> = {};
const phase = (name: string, end = false): void => {
  if (end) {
    phases[name] = [opened[name], monotonicUs()];
  } else {
    opened[name] = monotonicUs();
  }
};

// ---------------------------------------------------------------------------------------------
// 1. The floor: a child process with one bare Baileys socket per session

/**
 * Compiles bench/floor-child.ts (and what it imports) with tsc, for plain `node` to run it as
 * the gateway's build is run: Baileys then loads through Node's own `require` of its ESM files.
 */
function buildFloor(): { js: string; remove(): void } {
  const outDir = mkdtempSync(join(ROOT, '.test-build', 'floor-'));
  const config = join(outDir, 'tsconfig.json');
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(ROOT, 'tsconfig.json'),
      compilerOptions: { outDir, rootDir: ROOT, sourceMap: false },
      files: [join(ROOT, 'bench', 'floor-child.ts')],
      include: [],
    }),
  );
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', config], {
    cwd: ROOT,
    stdio: 'pipe',
  });
  return {
    js: join(outDir, 'bench', 'floor-child.js'),
    remove: () => rmSync(outDir, { recursive: true, force: true }),
  };
}

/** The floor child's compiled entry (see buildFloor), set by main. */
let floorJs = '';

/** The parent's end of the floor child. */
class Floor {
  private readonly waiters: ((message: FloorReply) => boolean)[] = [];

  private constructor(readonly child: ChildProcess) {
    child.on('message', (message: FloorReply) => {
      const index = this.waiters.findIndex((waiter) => waiter(message));
      if (index >= 0) {
        this.waiters.splice(index, 1);
      }
    });
  }

  static async start(sim: WaSimulator): Promise<Floor> {
    const child = fork(floorJs, [], {
      // plain node, without this process's tsx loader (see buildFloor)
      execArgv: CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : [],
      env: {
        ...process.env,
        WA_SIM_WS_URL: sim.wsUrl,
        WA_SIM_ROOT_PUBLIC_KEY: sim.rootPublicKeyHex,
      },
    });
    const floor = new Floor(child);
    await floor.next('ready', () => true, 60_000);
    return floor;
  }

  get cpuMs(): number {
    return cpuMs(this.child.pid ?? 0);
  }

  next<T extends FloorReply['type']>(
    type: T,
    match: (message: Extract<FloorReply, { type: T }>) => boolean,
    timeoutMs: number,
  ): Promise<Extract<FloorReply, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`floor: no ${type} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push((message) => {
        if (message.type !== type || !match(message as Extract<FloorReply, { type: T }>)) {
          return false;
        }
        clearTimeout(timer);
        resolve(message as Extract<FloorReply, { type: T }>);
        return true;
      });
    });
  }

  send(request: FloorRequest): void {
    this.child.send(request);
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.send({ type: 'end' });
    await exited;
  }
}

const FLOOR = 'floor: bare Baileys, in-memory auth';
const HALF = `gateway, 1 process, cluster mode, ${Math.ceil(SESSIONS / 2)} sessions`;
const FLOOR_HALF = `${FLOOR}, ${Math.ceil(SESSIONS / 2)} sessions`;

/**
 * Runs a floor phase's `work` (the phase `label` in phases.json, when measured) and returns its
 * cost: the child's and this process's CPU over it, and `messages` (what `work` resolved with)
 * per second.
 */
async function floorPhase(
  floor: Floor,
  label: string | undefined,
  work: () => Promise<{ messages: number; complete: boolean }>,
): Promise<Cost> {
  if (label) {
    phase(label);
  }
  const cpuBefore = floor.cpuMs;
  const simBefore = ownCpuMs();
  const start = Date.now();
  const { messages, complete } = await work();
  if (label) {
    phase(label, true);
  }
  return {
    messages,
    cpuMs: floor.cpuMs - cpuBefore,
    simulatorMs: ownCpuMs() - simBefore,
    perSecond: messages / ((Date.now() - start) / 1000),
    complete,
  };
}

/** The floor's inbound: the contacts push texts as bench/messaging.ts does, until every one is a `messages.upsert` in the child. */
async function floorInbound(
  floor: Floor,
  sim: WaSimulator,
  phones: string[],
  perSession: number,
  label?: string,
  ratePerSecond?: number,
): Promise<Cost> {
  const total = phones.length * perSession;
  const expecting = floor.next('expecting', () => true, 10_000);
  floor.send({ type: 'expect', total });
  await expecting;
  const received = floor.next('received', () => true, 180_000);
  return floorPhase(floor, label, async () => {
    const start = Date.now();
    await Promise.all(
      phones.map(async (phone) => {
        const account = sim.account(phone);
        const from = account.contacts.map((contact) => contact.pn);
        for (let i = 0; i < perSession; i++) {
          await pace(start, i, phones.length, ratePerSecond);
          await account.sendText(from[i % from.length], `inbound ${i}`);
        }
      }),
    );
    const complete = await received.then(
      () => true,
      () => false,
    );
    return { messages: total, complete };
  });
}

/** The floor's sends: the same concurrency as the gateway's REST sends, until the phones decrypted them. */
async function floorSent(
  floor: Floor,
  sim: WaSimulator,
  phones: string[],
  perSession: number,
  label?: string,
  ratePerSecond?: number,
): Promise<Cost> {
  const total = phones.length * perSession;
  const ours = new Set(phones);
  let decrypted = 0;
  const unsubscribe = sim.on('message', (event) => {
    if (ours.has(event.phone) && event.text?.startsWith('outbound ')) {
      decrypted += 1;
    }
  });
  const sent = floor.next('sent', () => true, 180_000);
  try {
    return await floorPhase(floor, label, async () => {
      floor.send({
        type: 'send',
        to: phones.map((phone) => sim.account(phone).contacts.map((contact) => contact.jid)),
        perSession,
        workers: Math.max(1, Math.round(OUTBOUND_IN_FLIGHT / phones.length)),
        ratePerSecond,
      });
      const { failures } = await sent;
      await until(() => Promise.resolve(decrypted >= total - failures), 60_000);
      return { messages: decrypted, complete: decrypted === total };
    });
  } finally {
    unsubscribe();
  }
}

/**
 * The floor with `sessions` sessions; `pacedShare` of the paced rates when they are set (the
 * floor with half the sessions runs at half of them: the load each of 2 gateway processes has).
 */
async function floorRun(
  sim: WaSimulator,
  name = FLOOR,
  sessions = SESSIONS,
  pacedShare = 1,
): Promise<Run> {
  const floor = await Floor.start(sim);
  pids[name] = [floor.child.pid ?? 0];
  const measured = (label: string): string => (name === FLOOR ? label : `${label} (${sessions})`);
  try {
    const phones = await Promise.all(
      Array.from({ length: sessions }, async (_, index) => {
        const qr = floor.next('qr', (message) => message.index === index, 60_000);
        const open = floor.next('open', (message) => message.index === index, 60_000);
        floor.send({ type: 'link', index });
        const linked = await sim.scan((await qr).qr, { contacts: 5, groups: 0 });
        await open;
        await sim.account(linked.phone).waitForReady(30_000);
        return linked.phone;
      }),
    );
    // warm-up, not measured: the code paths compiled and the Signal sessions set up
    await floorInbound(floor, sim, phones, WARMUP_INBOUND);
    await floorSent(floor, sim, phones, WARMUP_OUTBOUND);
    const idle = await idleCpu(() => floor.cpuMs);
    const inbound = await floorInbound(floor, sim, phones, INBOUND, measured('floor inbound'));
    const sent = await floorSent(floor, sim, phones, OUTBOUND, measured('floor sent'));
    const paced =
      PACED_INBOUND_RATE > 0 && PACED_SENT_RATE > 0
        ? {
            inbound: await floorInbound(
              floor,
              sim,
              phones,
              INBOUND,
              measured('floor inbound paced'),
              PACED_INBOUND_RATE * pacedShare,
            ),
            sent: await floorSent(
              floor,
              sim,
              phones,
              OUTBOUND,
              measured('floor sent paced'),
              PACED_SENT_RATE * pacedShare,
            ),
          }
        : undefined;
    return { name, idle, inbound, sent, paced };
  } finally {
    await floor.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// 2, 4, 5. The gateway: one process, or a cluster of processes on one database and one Redis

interface Node extends GatewayProcess {
  nodeId: string;
}

class Gateways {
  readonly nodes: Node[] = [];

  constructor(
    private readonly mainJs: string,
    private readonly sim: WaSimulator,
    readonly db: TestDatabase,
    private readonly env: Record<string, string>,
  ) {}

  async start(nodeId: string): Promise<Node> {
    const port = await freePort();
    const node = await startGatewayProcess(
      this.mainJs,
      simGatewayEnv(this.sim, this.db, KEY, {
        ...TEST_WA_ENV,
        NODE_ID: nodeId,
        PORT: String(port),
        WA_LOG_LEVEL: 'silent',
        SEND_MIN_INTERVAL_MS: '0',
        SEND_JITTER_MS: '0',
        SEND_QUEUE_MAX: '100000',
        // the limits stay on (their guard, and in cluster mode its Redis counter, are part of
        // the cost), but high: in cluster mode the counts live in Redis and span the runs
        RATE_LIMIT_PER_MINUTE: '1000000',
        ...this.env,
        ...GATEWAY_ENV,
      }),
      [
        ...SIM_PRELOAD,
        ...(COUNT_QUERIES ? ['-r', join(__dirname, 'query-counter.js')] : []),
        ...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : []),
      ],
    );
    const started = Object.assign(node, { nodeId });
    this.nodes.push(started);
    return started;
  }

  /** The summed CPU ms of the processes still running. */
  cpuMs(): number {
    return this.live().reduce((sum, node) => sum + cpuMs(node.child.pid ?? 0), 0);
  }

  live(): Node[] {
    return this.nodes.filter((node) => node.child.exitCode === null && !node.child.signalCode);
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.live().map(async (node) => {
        node.child.kill('SIGTERM');
        await node.exited;
      }),
    );
  }
}

/** Who owns which session, from `GET /cluster` (with this bench's key). */
async function owners(node: { url: string }): Promise<Map<string, string[]>> {
  const response = await fetch(`${node.url}/cluster`, { headers: { 'X-API-Key': KEY } });
  const { data } = (await response.json()) as {
    data: { nodes: { nodeId: string; sessions: { sessionId: string }[] }[] };
  };
  return new Map(data.nodes.map((entry) => [entry.nodeId, entry.sessions.map((s) => s.sessionId)]));
}

/** Starts `count` processes (cluster mode with `redis`) on a fresh database, links the sessions. */
async function gateways(
  mainJs: string,
  sim: WaSimulator,
  count: number,
  env: Record<string, string>,
  sessions = SESSIONS,
): Promise<{ gateways: Gateways; phones: Map<string, string> }> {
  const db = await createTestDatabase();
  const started = new Gateways(mainJs, sim, db, env);
  try {
    // one at a time: the first runs the migrations
    await started.start('gw-1');
    await Promise.all(Array.from({ length: count - 1 }, (_, i) => started.start(`gw-${i + 2}`)));
    // sessions created through every process in turn (each goes to the least loaded one)
    const phones = await link(started.nodes[0], sim, sessions, (i) => {
      return started.nodes[i % count].url;
    });
    if (phones.size !== sessions || [...phones.values()].some((phone) => !phone)) {
      throw new Error(`linked ${phones.size} of ${sessions} sessions`);
    }
    return { gateways: started, phones };
  } catch (error) {
    await started.stop();
    await db.drop();
    throw error;
  }
}

/** A row of bench/messaging.ts's phases as a cost. */
function cost(row: Record<string, unknown>): Cost {
  const messages = Number(row.stored ?? row.decrypted);
  return {
    messages,
    cpuMs: Number(row['gateway CPU ms/msg']) * messages,
    simulatorMs: Number(row['simulator CPU ms/msg']) * messages,
    perSecond: Number(row['msg/s to stored row'] ?? row['msg/s to decrypted']),
    complete: row.complete === true,
  };
}

/** bench/messaging.ts's inbound and outbound phases, CPU summed over the processes. */
/** Runs `work` as the phase `label` (its window in phases.json). */
async function inPhase<T>(label: string, work: () => Promise<T>): Promise<T> {
  phase(label);
  const result = await work();
  phase(label, true);
  return result;
}

async function messaging(
  name: string,
  sim: WaSimulator,
  running: Gateways,
  phones: Map<string, string>,
): Promise<Run> {
  const clustered = running.nodes.length > 1;
  const ownerUrl = new Map<string, string>();
  if (clustered) {
    // REST sends go to each session's owner, as a load balancer keyed on the session would
    for (const [nodeId, sessions] of await owners(running.nodes[0])) {
      const url = running.nodes.find((node) => node.nodeId === nodeId)?.url ?? '';
      sessions.forEach((sessionId) => ownerUrl.set(sessionId, url));
    }
  }
  pids[name] = running.nodes.map((node) => node.child.pid ?? 0);
  // warm-up, not measured, as for the floor
  const warmUp = {
    processes: running.nodes,
    cpuMs: () => running.cpuMs(),
    urlFor: (sessionId: string) => ownerUrl.get(sessionId) ?? running.nodes[0].url,
  };
  await inbound(running.nodes[0], sim, running.db, phones, {
    ...warmUp,
    perSession: WARMUP_INBOUND,
  });
  await outbound(running.nodes[0], sim, phones, { ...warmUp, perSession: WARMUP_OUTBOUND });
  const idle = await idleCpu(() => running.cpuMs());
  // every reading of the summed CPU, process by process: the phases read it before and after
  const readings: number[][] = [];
  const options = {
    processes: running.nodes,
    cpuMs: () => {
      const each = running.nodes.map((node) => cpuMs(node.child.pid ?? 0));
      readings.push(each);
      return each.reduce((sum, value) => sum + value, 0);
    },
    urlFor: (sessionId: string) => ownerUrl.get(sessionId) ?? running.nodes[0].url,
  };
  // what the simulator saw beyond the messages: receipts, acks, retries, requeued deliveries
  const seen = { receipts: 0, acks: 0, resent: 0, requeued: 0 };
  const watches = [
    sim.on('client-receipt', (event) => (seen.receipts += event.ids.length)),
    sim.on('ack', () => (seen.acks += 1)),
    sim.on('resent', () => (seen.resent += 1)),
    sim.on('requeued', (event) => (seen.requeued += event.ids.length)),
  ];
  phase(`${name} inbound`);
  const inboundRow = await inbound(running.nodes[0], sim, running.db, phones, {
    ...options,
    perSession: INBOUND,
  });
  phase(`${name} inbound`, true);
  watches.forEach((stop) => stop());
  process.stdout.write(`${name}: the simulator saw during inbound ${JSON.stringify(seen)}\n`);
  phase(`${name} sent`);
  const outboundRow = await outbound(running.nodes[0], sim, phones, {
    ...options,
    perSession: OUTBOUND,
  });
  phase(`${name} sent`, true);
  const printQueries = (what: string): void => {
    if (COUNT_QUERIES) {
      process.stdout.write(
        `${what}: SQL statements per message ${JSON.stringify(queriesPerMessage)}\n`,
      );
    }
  };
  printQueries(name);
  const paced =
    PACED_INBOUND_RATE > 0 && PACED_SENT_RATE > 0
      ? {
          inbound: cost(
            await inPhase(`${name} inbound paced`, () =>
              inbound(running.nodes[0], sim, running.db, phones, {
                ...warmUp,
                perSession: INBOUND,
                ratePerSecond: PACED_INBOUND_RATE,
              }),
            ),
          ),
          sent: cost(
            await inPhase(`${name} sent paced`, () =>
              outbound(running.nodes[0], sim, phones, {
                ...warmUp,
                perSession: OUTBOUND,
                ratePerSecond: PACED_SENT_RATE,
              }),
            ),
          ),
        }
      : undefined;
  if (paced) {
    printQueries(`${name}, paced`);
  }
  // each process's share of the CPU of both phases, beside its share of the sessions
  const used = running.nodes.map(
    (_, i) => readings[1][i] - readings[0][i] + (readings[3][i] - readings[2][i]),
  );
  const total = used.reduce((sum, value) => sum + value, 0);
  const sessions = running.nodes.map(
    (node) => [...ownerUrl.values()].filter((url) => url === node.url).length,
  );
  const split = clustered
    ? `sessions ${sessions.join(' / ')}, CPU ${used.map((value) => `${((100 * value) / total).toFixed(0)} %`).join(' / ')}`
    : undefined;
  return {
    name,
    idle,
    inbound: cost(inboundRow),
    sent: cost(outboundRow),
    paced,
    note: split,
  };
}

/** SIGKILLs the last process; ms until every session it owned is connected on the others. */
async function takeover(running: Gateways, ttlMs: number): Promise<string> {
  const survivor = running.nodes[0];
  const victim = running.nodes[running.nodes.length - 1];
  const moving = (await owners(survivor)).get(victim.nodeId) ?? [];
  if (moving.length === 0) {
    return 'the victim owned no session';
  }
  const socket = await connectSocket(survivor.url, { auth: { token: KEY } });
  try {
    await emitWithAck(socket, 'subscribe', { sessionId: '*' });
    const connectedAt = new Map<string, number>();
    socket.on('session_connected', ({ sessionId }: { sessionId: string }) => {
      if (moving.includes(sessionId) && !connectedAt.has(sessionId)) {
        connectedAt.set(sessionId, Date.now());
      }
    });
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    await victim.exited;
    const back = await until(
      () => Promise.resolve(connectedAt.size === moving.length),
      ttlMs * 2 + 30_000,
    );
    const times = [...connectedAt.values()].map((at) => (at - killedAt) / 1000).sort();
    const owned = (await owners(survivor)).get(survivor.nodeId) ?? [];
    const all = moving.every((sessionId) => owned.includes(sessionId));
    return back && all
      ? `${moving.length} sessions: first ${times[0].toFixed(1)} s, all ${times[times.length - 1].toFixed(1)} s`
      : `only ${connectedAt.size} of ${moving.length} back within ${(ttlMs * 2 + 30_000) / 1000} s`;
  } finally {
    socket.close();
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Webhook ingest: bench/webhooks.ts and bench/http-floor.ts as they are, their lines parsed

function runBench(file: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, join(__dirname, file)], {
      cwd: ROOT,
      env: { ...process.env, BENCH_CPU_PROF: '', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${file} exited with ${code}:\n${output}`)),
    );
  });
}

async function ingest(): Promise<{ gateway: number; floor: number; lines: string[] }> {
  const webhooks = await runBench('webhooks.ts', {
    TEST_DB_TIER: 'mysql',
    BENCH_INGEST_SECONDS: INGEST_SECONDS,
    BENCH_DELIVERIES: '1000',
  });
  const floor = await runBench('http-floor.ts', { BENCH_SECONDS: INGEST_SECONDS });
  const ingestLine = webhooks.split('\n').find((line) => line.startsWith('ingest:')) ?? '';
  const floorLine = floor.split('\n').find((line) => line.startsWith('http floor:')) ?? '';
  return {
    gateway: Number(/gateway CPU ([\d.]+) ms\/event/.exec(ingestLine)?.[1]),
    floor: Number(/server CPU ([\d.]+) ms\/req/.exec(floorLine)?.[1]),
    lines: [ingestLine, floorLine],
  };
}

// ---------------------------------------------------------------------------------------------
// The machine itself: a fixed CPU workload alone, and two copies of it at once

/**
 * A fixed piece of pure CPU work of the kinds a gateway does per message (AES and HMAC over a
 * small buffer, JSON out and back, short-lived objects), in a process of its own: prints the CPU
 * it took. No I/O, no waiting, the same work every time.
 */
const CALIBRATION = `
const { createCipheriv, createHmac, randomBytes } = require('node:crypto');
const key = randomBytes(32), iv = randomBytes(16), data = randomBytes(512);
const before = process.cpuUsage();
let sink = 0;
for (let i = 0; i < 60000; i++) {
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const sealed = Buffer.concat([cipher.update(data), cipher.final()]);
  sink += createHmac('sha256', key).update(sealed).digest()[0];
  const copy = JSON.parse(JSON.stringify({ id: i, text: 'message ' + i, parts: [sealed.toString('base64')] }));
  sink += copy.parts[0].length;
}
const used = process.cpuUsage(before);
process.stdout.write(String((used.user + used.system) / 1000 + (sink < 0 ? 1 : 0)));
`;

function calibrationCpuMs(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CALIBRATION], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('exit', () => resolve(Number(out)));
  });
}

/**
 * What this machine charges for running two busy processes at once: the CPU the same fixed work
 * takes in one process alone, and in each of two processes running it at the same time (the
 * mean of three tries each). A 2-core virtual machine whose cores share a physical core or its
 * caches charges more CPU per unit of work when both are busy, whatever the processes do; the
 * 1 → 2 process runs have both cores busy (two gateways, the simulator and MariaDB).
 */
async function contention(): Promise<{ alone: number; paired: number }> {
  await calibrationCpuMs(); // warms the binary and the file cache
  let alone = 0;
  let paired = 0;
  for (let i = 0; i < 3; i++) {
    alone += await calibrationCpuMs();
    const pair = await Promise.all([calibrationCpuMs(), calibrationCpuMs()]);
    paired += (pair[0] + pair[1]) / 2;
  }
  return { alone: alone / 3, paired: paired / 3 };
}

// ---------------------------------------------------------------------------------------------

const ms = (value: number): string => `${value.toFixed(value < 1 ? 3 : 2)} ms`;
const verdict = (ok: boolean): string => (ok ? 'met' : '**not met**');

function table(header: string[], rows: string[][]): string {
  const widths = header.map((cell, i) =>
    Math.max(cell.length, ...rows.map((row) => row[i].length)),
  );
  const line = (cells: string[]): string =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  mkdirSync(join(ROOT, '.test-build'), { recursive: true });
  process.env.TEST_DB_TIER = 'mysql';
  const started = Date.now();
  const build = buildGateway();
  const floorBuild = buildFloor();
  floorJs = floorBuild.js;
  const sim = await startQuietSimulator();
  const step = (what: string): void => {
    process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${what}\n`);
  };
  // each goal's figure in every round, for the summary of BENCH_ROUNDS > 1
  const summary = new Map<string, { values: number[]; limit?: number; kind: 'ratio' | 'growth' }>();
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      if (ROUNDS > 1) {
        step(`round ${round} of ${ROUNDS}`);
      }
      await measureRound(build.mainJs, sim, step, round === 1, summary);
    }
    if (ROUNDS > 1) {
      printSummary(summary);
    }
    if (CPU_PROF) {
      writeFileSync(join(CPU_PROF, 'phases.json'), JSON.stringify({ ...phases, pids }));
    }
    step('done');
  } finally {
    await sim.stop();
    build.remove();
    floorBuild.remove();
  }
}

/** One round: the floor, every gateway run and the ingest, measured and reported. */
async function measureRound(
  mainJs: string,
  sim: WaSimulator,
  step: (what: string) => void,
  withTakeovers: boolean,
  summary: Map<string, { values: number[]; limit?: number; kind: 'ratio' | 'growth' }>,
): Promise<void> {
  const cluster = { REDIS_URL };
  const build = { mainJs };
  const runs: Run[] = [];
  const takeovers: string[][] = [];
  step('the machine: a fixed CPU workload alone and two at once');
  const machine = await contention();
  step(`floor: ${SESSIONS} sessions × ${INBOUND} inbound / ${OUTBOUND} sent`);
  runs.push(await floorRun(sim));
  // bare Baileys with the load each of 2 gateway processes carries: what a process with fewer
  // busy sessions costs per message without any of the gateway's work
  step(`floor: ${Math.ceil(SESSIONS / 2)} sessions`);
  runs.push(await floorRun(sim, FLOOR_HALF, Math.ceil(SESSIONS / 2), 0.5));

  const configurations: [string, number, Record<string, string>, number][] = [
    ['gateway, 1 process (no Redis)', 1, {}, SESSIONS],
    ['gateway, 1 process, cluster mode', 1, cluster, SESSIONS],
    ['gateway, 2 processes, cluster mode', 2, cluster, SESSIONS],
    // the load each of the 2 carries, on 1 process: what a process costs per message with
    // half the sessions, cluster or not (a process batches less with fewer busy sessions)
    [HALF, 1, cluster, Math.ceil(SESSIONS / 2)],
  ];
  for (const [name, count, env, sessions] of configurations) {
    step(name);
    const { gateways: running, phones } = await gateways(build.mainJs, sim, count, env, sessions);
    try {
      runs.push(await messaging(name, sim, running, phones));
      if (count === 2 && withTakeovers) {
        step('takeover, LEASE_TTL_MS 15000 (default)');
        takeovers.push(['15000 (default)', await takeover(running, 15_000)]);
      }
    } finally {
      await running.stop();
      await running.db.drop();
    }
  }
  if (withTakeovers) {
    step('takeover, LEASE_TTL_MS 5000');
    const { gateways: short } = await gateways(build.mainJs, sim, 2, {
      ...cluster,
      LEASE_TTL_MS: '5000',
    });
    try {
      takeovers.push(['5000', await takeover(short, 5_000)]);
    } finally {
      await short.stop();
      await short.db.drop();
    }
  }

  step(`webhook ingest (bench/webhooks.ts, ${INGEST_SECONDS} s) and bench/http-floor.ts`);
  const webhook = await ingest();

  // ---- the report
  const [floor, floorHalf, one, oneClustered, two, half] = runs;
  process.stdout.write(`\n${webhook.lines.join('\n')}\n\n`);
  process.stdout.write(
    `${table(
      [
        'Run',
        'Idle CPU',
        'Inbound CPU / msg (net of idle)',
        'Inbound msg/s',
        'Sent CPU / msg (net of idle)',
        'Sent msg/s',
        'Bench process CPU / in, sent',
        'Complete',
        'Note',
      ],
      runs.map((run) => [
        run.name,
        `${run.idle.toFixed(0)} ms/s`,
        `${ms(perMessage(run.inbound))} (${ms(netOfIdle(run.inbound, run.idle))})`,
        run.inbound.perSecond.toFixed(0),
        `${ms(perMessage(run.sent))} (${ms(netOfIdle(run.sent, run.idle))})`,
        run.sent.perSecond.toFixed(0),
        `${ms(run.inbound.simulatorMs / run.inbound.messages)}, ${ms(run.sent.simulatorMs / Math.max(1, run.sent.messages))}`,
        `${run.inbound.messages} / ${run.sent.messages}${run.inbound.complete && run.sent.complete ? '' : ' (INCOMPLETE)'}`,
        run.note ?? '',
      ]),
    )}\n\n`,
  );
  const pacedRuns = runs.filter((run) => run.paced);
  if (pacedRuns.length > 0) {
    process.stdout.write(
      `${table(
        [
          'Run (paced)',
          `Inbound CPU / msg at ${PACED_INBOUND_RATE} msg/s (net of idle)`,
          `Sent CPU / msg at ${PACED_SENT_RATE} msg/s (net of idle)`,
          'Bench process CPU / in, sent',
          'Complete',
        ],
        pacedRuns.map((run) => {
          const paced = run.paced as { inbound: Cost; sent: Cost };
          return [
            run.name,
            `${ms(perMessage(paced.inbound))} (${ms(netOfIdle(paced.inbound, run.idle))})`,
            `${ms(perMessage(paced.sent))} (${ms(netOfIdle(paced.sent, run.idle))})`,
            `${ms(paced.inbound.simulatorMs / paced.inbound.messages)}, ${ms(paced.sent.simulatorMs / Math.max(1, paced.sent.messages))}`,
            `${paced.inbound.messages} / ${paced.sent.messages}${paced.inbound.complete && paced.sent.complete ? '' : ' (INCOMPLETE)'}`,
          ];
        }),
      )}\n\n`,
    );
  }
  // a goal's row: the baseline, now, their ratio (×) or growth (%), and whether it holds
  const record = (
    label: string,
    value: number,
    limit: number | undefined,
    kind: 'ratio' | 'growth',
  ) => {
    const entry = summary.get(label) ?? { values: [], limit, kind };
    entry.values.push(value);
    summary.set(label, entry);
  };
  const ratioRow = (label: string, base: number, now: number, limit: number): string[] => {
    record(label, now / base, limit, 'ratio');
    return [
      label,
      ms(base),
      ms(now),
      `${(now / base).toFixed(2)}×`,
      `≤ ${limit}×`,
      verdict(now / base <= limit),
    ];
  };
  const growthRow = (label: string, base: number, now: number, limit?: number): string[] => {
    const growth = (now / base - 1) * 100;
    if (limit !== undefined) {
      record(label, growth, limit, 'growth');
    }
    return [
      label,
      ms(base),
      ms(now),
      `${growth >= 0 ? '+' : ''}${growth.toFixed(0)} %`,
      limit === undefined ? '-' : `≤ +${limit} %`,
      limit === undefined ? '-' : verdict(growth <= limit),
    ];
  };
  /**
   * The 1 → 2 growth the gateway adds to what bare Baileys itself grows when its process carries
   * half the sessions: the gateway's growth (the two processes' summed CPU per message against
   * one's) less the floor's own (5 sessions per process against 10), both as per-message ratios.
   */
  const beyondFloorRow = (
    kind: 'inbound' | 'sent' | 'inbound paced' | 'sent paced',
    base: number,
    now: number,
    floorBase: Cost,
    floorNow: Cost,
  ): string[] => {
    const floorGrowth = perMessage(floorNow) / perMessage(floorBase);
    const growth = (now / base / floorGrowth - 1) * 100;
    record(`(${kind}) 1 → 2 processes beyond the floor's own growth`, growth, undefined, 'growth');
    return [
      `(${kind}) 1 → 2 processes, beyond the floor's own growth at half the ${kind.endsWith('paced') ? 'rate' : 'sessions'}`,
      '-',
      '-',
      `${growth >= 0 ? '+' : ''}${growth.toFixed(0)} %`,
      '-',
      '-',
    ];
  };
  const inbound1 = perMessage(one.inbound);
  const sent1 = perMessage(one.sent);
  process.stdout.write(
    `${table(
      ['Measure', 'Baseline', 'Now', 'Ratio / growth', 'Goal', 'Goal met'],
      [
        ratioRow('Inbound CPU / msg, gateway vs floor', perMessage(floor.inbound), inbound1, 1.5),
        ratioRow('Sent CPU / msg, gateway vs floor', perMessage(floor.sent), sent1, 1.5),
        ratioRow('Webhook ingest CPU / event vs HTTP floor', webhook.floor, webhook.gateway, 3),
        growthRow('Inbound CPU / msg, 1 → 2 processes', inbound1, perMessage(two.inbound), 10),
        growthRow('Sent CPU / msg, 1 → 2 processes', sent1, perMessage(two.sent), 10),
        growthRow(
          `Inbound CPU / msg, 1 → 2 processes at equal load per process (1 × ${Math.ceil(SESSIONS / 2)} → 2 × ${Math.ceil(SESSIONS / 2)} sessions)`,
          perMessage(half.inbound),
          perMessage(two.inbound),
          10,
        ),
        growthRow(
          `Sent CPU / msg, 1 → 2 processes at equal load per process`,
          perMessage(half.sent),
          perMessage(two.sent),
          10,
        ),
        ...(one.paced && two.paced
          ? [
              growthRow(
                `Inbound CPU / msg, 1 → 2 processes, paced (${PACED_INBOUND_RATE} msg/s)`,
                perMessage(one.paced.inbound),
                perMessage(two.paced.inbound),
                10,
              ),
              growthRow(
                `Sent CPU / msg, 1 → 2 processes, paced (${PACED_SENT_RATE} msg/s)`,
                perMessage(one.paced.sent),
                perMessage(two.paced.sent),
                10,
              ),
            ]
          : []),
        ...(floor.paced && floorHalf.paced
          ? [
              growthRow(
                `(bare Baileys) floor inbound paced, ${SESSIONS} sessions at ${PACED_INBOUND_RATE} msg/s → ${Math.ceil(SESSIONS / 2)} at ${PACED_INBOUND_RATE / 2}`,
                perMessage(floor.paced.inbound),
                perMessage(floorHalf.paced.inbound),
              ),
              growthRow(
                `(bare Baileys) floor sent paced, ${SESSIONS} sessions at ${PACED_SENT_RATE} msg/s → ${Math.ceil(SESSIONS / 2)} at ${PACED_SENT_RATE / 2}`,
                perMessage(floor.paced.sent),
                perMessage(floorHalf.paced.sent),
              ),
              ...(one.paced && two.paced
                ? [
                    beyondFloorRow(
                      'inbound paced',
                      perMessage(one.paced.inbound),
                      perMessage(two.paced.inbound),
                      floor.paced.inbound,
                      floorHalf.paced.inbound,
                    ),
                    beyondFloorRow(
                      'sent paced',
                      perMessage(one.paced.sent),
                      perMessage(two.paced.sent),
                      floor.paced.sent,
                      floorHalf.paced.sent,
                    ),
                  ]
                : []),
            ]
          : []),
        growthRow(
          `(bare Baileys) floor inbound, ${SESSIONS} → ${Math.ceil(SESSIONS / 2)} sessions per process`,
          perMessage(floor.inbound),
          perMessage(floorHalf.inbound),
        ),
        growthRow(
          `(bare Baileys) floor sent, ${SESSIONS} → ${Math.ceil(SESSIONS / 2)} sessions per process`,
          perMessage(floor.sent),
          perMessage(floorHalf.sent),
        ),
        growthRow(
          '(the machine) CPU of a fixed workload, 1 → 2 busy processes',
          machine.alone,
          machine.paired,
        ),
        beyondFloorRow(
          'inbound',
          inbound1,
          perMessage(two.inbound),
          floor.inbound,
          floorHalf.inbound,
        ),
        beyondFloorRow('sent', sent1, perMessage(two.sent), floor.sent, floorHalf.sent),
        growthRow(
          '(cluster mode alone) inbound, 1 process',
          inbound1,
          perMessage(oneClustered.inbound),
        ),
        growthRow('(cluster mode alone) sent, 1 process', sent1, perMessage(oneClustered.sent)),
        ...takeovers.map(([ttl, result]) => [
          `Takeover after SIGKILL, LEASE_TTL_MS ${ttl}`,
          '-',
          result,
          '-',
          '-',
          '-',
        ]),
      ],
    )}\n`,
  );
}

/** Every goal's figure round by round, their median, and whether the median meets the goal. */
function printSummary(
  summary: Map<string, { values: number[]; limit?: number; kind: 'ratio' | 'growth' }>,
): void {
  const shown = (value: number, kind: 'ratio' | 'growth'): string =>
    kind === 'ratio' ? `${value.toFixed(2)}×` : `${value >= 0 ? '+' : ''}${value.toFixed(0)} %`;
  const median = (values: number[]): number => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  };
  const rounds = Math.max(...[...summary.values()].map((entry) => entry.values.length));
  process.stdout.write(
    `\n${table(
      [
        'Measure',
        ...Array.from({ length: rounds }, (_, i) => `Round ${i + 1}`),
        'Median',
        'Goal',
        'Goal met (median)',
      ],
      [...summary].map(([label, { values, limit, kind }]) => [
        label,
        ...values.map((value) => shown(value, kind)),
        shown(median(values), kind),
        limit === undefined ? '-' : kind === 'ratio' ? `≤ ${limit}×` : `≤ +${limit} %`,
        limit === undefined ? '-' : verdict(median(values) <= limit),
      ]),
    )}\n`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
